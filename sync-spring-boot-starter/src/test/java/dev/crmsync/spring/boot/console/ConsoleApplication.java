package dev.crmsync.spring.boot.console;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * A host web application with Actuator and Spring Security, as a user writes one: crmsync's starter (which adds
 * the console's endpoint and security chain), an H2 DataSource from spring.datasource.*, and the host's own users.
 * The tests add their clock.
 */
@SpringBootApplication
public class ConsoleApplication {

    /** A monitoring user. */
    public static final String VIEWER = "viewer";
    /** An operator. */
    public static final String OPERATOR = "operator";
    /** A user with neither of the console's roles. */
    public static final String OUTSIDER = "outsider";
    /** Every test user's password is its name followed by this. */
    public static final String PASSWORD_SUFFIX = "-pw";

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(
                User.withUsername(VIEWER).password("{noop}" + VIEWER + PASSWORD_SUFFIX).roles("CRMSYNC_VIEWER").build(),
                User.withUsername(OPERATOR).password("{noop}" + OPERATOR + PASSWORD_SUFFIX).roles("CRMSYNC_OPERATOR")
                        .build(),
                User.withUsername(OUTSIDER).password("{noop}" + OUTSIDER + PASSWORD_SUFFIX).roles("REPORTS").build());
    }
}
