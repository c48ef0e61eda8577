package dev.crmsync.spring.boot;

import dev.crmsync.core.SyncEngine;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The operator console's auto-configuration, in a servlet web application with Actuator: the
 * {@link CrmsyncConsoleEndpoint} (when the {@code crmsync} endpoint is available, i.e. enabled and exposed:
 * {@code management.endpoints.web.exposure.include=health,crmsync}) and, when Spring Security is present, a
 * {@link SecurityFilterChain} for the console's paths only — the endpoint and {@value #PAGES}:
 * <ul>
 *   <li>nothing anonymous but the login page and its script; reading needs the viewer or the operator role, every
 *       write operation the operator role ({@code crmsync.console.viewer-role}, {@code operator-role});</li>
 *   <li>CSRF on every state change, Spring Security's cookie recipe for single-page applications
 *       ({@code XSRF-TOKEN} cookie, {@code X-XSRF-TOKEN} header), which the page follows;</li>
 *   <li>a form login at {@value #LOGIN_PAGE} (posting to {@value #LOGIN}), HTTP Basic for scripts, and
 *       {@code 401} rather than a redirect for the endpoint.</li>
 * </ul>
 * The chain is ordered at {@link #SECURITY_ORDER}, before Boot's default chains and any application chain without
 * an order, and matches the console's paths only, so the rest of the application keeps its own security. The
 * application secures the console itself by defining a bean named {@value #SECURITY_CHAIN_BEAN}, by a chain of
 * its own for these paths ordered before it, or with {@code crmsync.console.security=false}; the whole console is
 * switched off with {@code crmsync.console.enabled=false}.
 */
@AutoConfiguration(after = CrmsyncAutoConfiguration.class, afterName = {
        "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration"})
@ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".enabled", matchIfMissing = true)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
public class CrmsyncConsoleAutoConfiguration {

    /** The console's static pages, under {@code META-INF/resources}. */
    public static final String PAGES = "/crmsync/**";
    /** The console page. */
    public static final String CONSOLE_PAGE = "/crmsync/console.html";
    /** The console's login page. */
    public static final String LOGIN_PAGE = "/crmsync/login.html";
    /** Where the login page posts (Spring Security's form login). */
    public static final String LOGIN = "/crmsync/login";
    /** Where the page posts to log out. */
    public static final String LOGOUT = "/crmsync/logout";
    /** The name of the console's security chain bean: define one to replace it. */
    public static final String SECURITY_CHAIN_BEAN = "crmsyncConsoleSecurityFilterChain";
    /** The console chain's order: before Boot's default chains ({@code LOWEST_PRECEDENCE - 5}). */
    public static final int SECURITY_ORDER = Ordered.LOWEST_PRECEDENCE - 10;

    /** Creates the auto-configuration (Spring calls it). */
    public CrmsyncConsoleAutoConfiguration() {
    }

    /** The endpoint, unless switched off. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".console.enabled", matchIfMissing = true)
    @ConditionalOnBean({SyncEngine.class, SyncStatus.class})
    static class EndpointConfiguration {

        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnAvailableEndpoint(CrmsyncConsoleEndpoint.class)
        CrmsyncConsoleEndpoint crmsyncConsoleEndpoint(SyncEngine engine, SyncStatus status,
                                                      CrmsyncProperties properties) {
            return new CrmsyncConsoleEndpoint(engine, status, properties.getConsole().getOperatorRole());
        }
    }

    /** The console's security chain, when Spring Security's web configuration is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".console.enabled", matchIfMissing = true)
    @ConditionalOnBooleanProperty(name = CrmsyncProperties.PREFIX + ".console.security", matchIfMissing = true)
    @ConditionalOnClass(name = {"org.springframework.security.config.annotation.web.builders.HttpSecurity",
            "org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest"})
    @ConditionalOnBean(type = "org.springframework.security.config.annotation.web.builders.HttpSecurity")
    static class SecurityConfiguration {

        @Bean(SECURITY_CHAIN_BEAN)
        @Order(SECURITY_ORDER)
        @ConditionalOnMissingBean(name = SECURITY_CHAIN_BEAN)
        SecurityFilterChain crmsyncConsoleSecurityFilterChain(HttpSecurity http, CrmsyncProperties properties)
                throws Exception {
            String viewer = properties.getConsole().getViewerRole();
            String operator = properties.getConsole().getOperatorRole();
            PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
            RequestMatcher endpoint = EndpointRequest.to(CrmsyncConsoleEndpoint.class);
            http.securityMatcher(new OrRequestMatcher(endpoint, paths.matcher(PAGES)))
                    .authorizeHttpRequests(a -> a
                            .requestMatchers(paths.matcher(HttpMethod.GET, LOGIN_PAGE),
                                    paths.matcher(HttpMethod.GET, "/crmsync/login.js"),
                                    paths.matcher(HttpMethod.GET, "/crmsync/console.css")).permitAll()
                            .requestMatchers(EndpointRequest.to(CrmsyncConsoleEndpoint.class)
                                    .withHttpMethod(HttpMethod.GET)).hasAnyRole(viewer, operator)
                            .requestMatchers(endpoint).hasRole(operator)
                            .anyRequest().hasAnyRole(viewer, operator))
                    .formLogin(f -> f.loginPage(LOGIN_PAGE).loginProcessingUrl(LOGIN)
                            .defaultSuccessUrl(CONSOLE_PAGE, true).failureUrl(LOGIN_PAGE + "?error").permitAll())
                    .logout(l -> l.logoutRequestMatcher(paths.matcher(HttpMethod.POST, LOGOUT))
                            .logoutSuccessUrl(LOGIN_PAGE + "?logout"))
                    .httpBasic(Customizer.withDefaults())
                    .csrf(c -> c.spa())
                    .addFilterAfter(new CsrfCookieFilter(), BasicAuthenticationFilter.class)
                    .exceptionHandling(e -> e.defaultAuthenticationEntryPointFor(
                            new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED), endpoint));
            return http.build();
        }
    }

    /**
     * Loads the deferred CSRF token on each request of the console's chain, so the {@code XSRF-TOKEN} cookie is
     * on the first answer (the login page) and renewed after login: the cookie recipe for single-page pages.
     */
    static final class CsrfCookieFilter extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Object token = request.getAttribute(CsrfToken.class.getName());
            if (token instanceof CsrfToken t) {
                t.getToken();
            }
            chain.doFilter(request, response);
        }
    }
}
