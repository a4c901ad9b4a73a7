/* Phone check-in: read the position when the button is pressed, then let htmx post it with the form. */
(function () {
  "use strict";

  var GEO_OPTIONS = { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 };
  var SELFIE_MAX_BYTES = 2 * 1024 * 1024;

  function parts(form) {
    return {
      button: form.querySelector("button[type=submit]"),
      state: form.querySelector("[data-checkin-state]"),
      stateText: form.querySelector("[data-checkin-state-text]"),
      error: form.querySelector("[data-checkin-error]"),
    };
  }

  function showBusy(form, text) {
    var p = parts(form);
    p.error.hidden = true;
    p.stateText.textContent = text;
    p.state.hidden = false;
    p.button.disabled = true;
    form.setAttribute("aria-busy", "true");
  }

  function showError(form, text) {
    var p = parts(form);
    p.state.hidden = true;
    p.button.disabled = false;
    p.error.textContent = text;
    p.error.hidden = false;
    form.removeAttribute("aria-busy");
  }

  function geoMessage(form, error) {
    if (error.code === 1) return form.dataset.msgDenied;
    if (error.code === 3) return form.dataset.msgTimeout;
    return form.dataset.msgUnavailable;
  }

  function selfieTooBig(form) {
    var input = form.querySelector("input[type=file]");
    return input && input.files && input.files[0] && input.files[0].size > SELFIE_MAX_BYTES;
  }

  // Reads the position, fills the hidden fields and calls send(); reports any failure on the form.
  function locateThen(form, send) {
    if (selfieTooBig(form)) return showError(form, form.dataset.msgSelfie);
    // Browsers give the position only to HTTPS pages (and localhost).
    if (!("geolocation" in navigator) || !window.isSecureContext) {
      return showError(form, form.dataset.msgUnsupported);
    }
    showBusy(form, form.dataset.msgLocating);
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude;
      form.elements.lon.value = position.coords.longitude;
      form.elements.accuracy.value = position.coords.accuracy;
      showBusy(form, form.dataset.msgSending);
      send();
    }, function (error) {
      showError(form, geoMessage(form, error));
    }, GEO_OPTIONS);
  }

  function isCheckinForm(element) {
    return element && element.matches && element.matches("form[data-checkin-form]");
  }

  // htmx asks before it sends; the request goes out once the position is known.
  document.addEventListener("htmx:confirm", function (event) {
    if (!isCheckinForm(event.target)) return;
    event.preventDefault();
    locateThen(event.target, function () { event.detail.issueRequest(true); });
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (isCheckinForm(event.target)) showError(event.target, event.target.dataset.msgNetwork);
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (isCheckinForm(event.target)) showError(event.target, event.target.dataset.msgServer);
  });

  // Without htmx (it failed to load) the form still works as a plain post, after the position is read.
  document.addEventListener("submit", function (event) {
    if (window.htmx || !isCheckinForm(event.target)) return;
    event.preventDefault();
    locateThen(event.target, function () { event.target.submit(); });
  });
})();
