// The console's login: posts to Spring Security's form login with the CSRF token from the XSRF-TOKEN cookie
// in the X-XSRF-TOKEN header (the cookie recipe for single-page pages), then opens the console.
'use strict';
(function () {
  function csrfToken() {
    const c = document.cookie.split('; ').find(function (p) { return p.startsWith('XSRF-TOKEN='); });
    return c ? decodeURIComponent(c.substring('XSRF-TOKEN='.length)) : '';
  }
  const message = document.getElementById('message');
  const params = new URLSearchParams(window.location.search);
  if (params.has('error')) {
    message.textContent = 'Wrong user or password.';
  } else if (params.has('logout')) {
    message.textContent = 'Logged out.';
  }
  document.getElementById('login').addEventListener('submit', function (e) {
    e.preventDefault();
    const body = new URLSearchParams(new FormData(e.target));
    fetch('login', {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'X-XSRF-TOKEN': csrfToken(), 'Content-Type': 'application/x-www-form-urlencoded' }
    }).then(function (r) {
      if (!r.ok || r.url.indexOf('error') >= 0) {
        message.textContent = 'Wrong user or password.';
        return;
      }
      window.location.href = 'console.html';
    }).catch(function () {
      message.textContent = 'The server did not answer.';
    });
  });
})();
