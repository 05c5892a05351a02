/* Fortnight — the door scanner (plain ES2017, no build step).
 *
 * Reads QR tickets from the camera (BarcodeDetector where the browser has it,
 * else the vendored jsQR), checks them in through POST /api/v1/checkins/ and
 * shows the answer full screen; finds attendees by name or booking code; keeps
 * the "checked in / expected" counter up to date. Every text comes from the
 * page (#door-config), translated by Django.
 */
(function () {
  "use strict";

  const configElement = document.getElementById("door-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const S = config.strings;

  // A code still held in front of the camera after its answer must not be checked in again
  // (green, then amber "already checked in"): the same code is ignored while its answer
  // shows, for SAME_CODE_AFTER_MS more, and for at least SAME_CODE_MIN_MS in all.
  const SAME_CODE_AFTER_MS = 2000;
  const SAME_CODE_MIN_MS = 6000;
  const SCAN_EVERY_MS = 150;
  const STATS_EVERY_MS = 5000;
  const RETRIES = 3;
  const KIND = {
    ok: "ok",
    already_checked_in: "warn",
    waitlisted: "warn",
    invalid: "bad",
    cancelled: "bad",
    wrong_event: "bad",
    error: "bad",
  };
  const SHOW_MS = { ok: 3000, warn: 4000, bad: 4000 };

  const video = document.getElementById("door-video");
  const cameraStatus = document.getElementById("door-camera-status");
  const cameraStart = document.getElementById("door-camera-start");
  const overlay = document.getElementById("door-result");
  const searchForm = document.getElementById("door-search-form");
  const searchInput = document.getElementById("door-q");
  const searchStatus = document.getElementById("door-search-status");
  const resultsList = document.getElementById("door-results");

  // --- Small helpers ------------------------------------------------------

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  // Dates as people write them in Brussels ("en" alone would be American).
  const LOCALES = { en: "en-GB", fr: "fr-BE", nl: "nl-BE" };
  const TIME = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

  // `iso` in Brussels time with `options`; where Intl cannot, `fallback` of its text (the API
  // answers in Brussels time already).
  function formatIn(iso, options, fallback) {
    try {
      return new Intl.DateTimeFormat(LOCALES[config.language] || config.language, {
        ...options,
        timeZone: config.timeZone,
      }).format(new Date(iso));
    } catch (error) {
      return fallback(String(iso));
    }
  }

  function formatTime(iso) {
    return iso ? formatIn(iso, TIME, (text) => text.slice(11, 16)) : "";
  }

  function formatDayTime(iso) {
    const options = { weekday: "long", day: "numeric", month: "long", ...TIME };
    return formatIn(iso, options, (text) => text.slice(0, 16).replace("T", " "));
  }

  function newNonce() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    if (config.csrfToken) return config.csrfToken;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  // --- Sound and vibration --------------------------------------------------

  let audio = null;

  function unlockAudio() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return;
    if (!audio) {
      try { audio = new AudioContextClass(); } catch (error) { return; }
    }
    if (audio.state === "suspended") audio.resume().catch(function () {});
  }

  function beep(kind) {
    if (!audio || audio.state !== "running") return;
    const tones = {
      ok: [[880, 0, 0.12]],
      warn: [[660, 0, 0.1], [660, 0.16, 0.1]],
      bad: [[220, 0, 0.4]],
    }[kind];
    const start = audio.currentTime;
    tones.forEach(function (tone) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = kind === "bad" ? "square" : "sine";
      oscillator.frequency.value = tone[0];
      gain.gain.setValueAtTime(0.0001, start + tone[1]);
      gain.gain.exponentialRampToValueAtTime(0.3, start + tone[1] + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + tone[1] + tone[2]);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(start + tone[1]);
      oscillator.stop(start + tone[1] + tone[2] + 0.02);
    });
  }

  function vibrate(kind) {
    if (typeof navigator.vibrate !== "function") return;
    navigator.vibrate({ ok: [120], warn: [100, 80, 100], bad: [300, 100, 300] }[kind]);
  }

  ["pointerdown", "keydown", "touchstart"].forEach(function (type) {
    document.addEventListener(type, unlockAudio, { passive: true });
  });

  // --- The result overlay -----------------------------------------------------

  let overlayTimer = null;
  let overlayShown = false;
  let shownKind = "bad"; // of the last answer shown

  function setLine(selector, text) {
    const element = overlay.querySelector(selector);
    element.textContent = text || "";
    element.hidden = !text;
  }

  function showResult(result, data, message) {
    const kind = KIND[result] || "bad";
    const registration = data && data.registration;
    let details = "";
    if (registration) {
      details = format(S.seats, { seats: registration.seats }) + " · " + format(S.code, { code: registration.code });
    }
    if (result === "already_checked_in" && data.first_checked_in_at) {
      details = format(S.first_checked_in_at, { time: formatTime(data.first_checked_in_at) }) + " · " + details;
    }
    const ticketEvent = result === "wrong_event" && data && data.ticket_event;
    overlay.className = "door-result door-result-" + kind;
    overlay.setAttribute("data-result", result);
    setLine(".door-result-title", message || S[result] || S.error);
    setLine(".door-result-name", registration ? registration.name : "");
    setLine(
      ".door-result-event",
      ticketEvent ? format(S.ticket_event, { title: ticketEvent.title, when: formatDayTime(ticketEvent.starts_at) }) : ""
    );
    setLine(".door-result-details", details);
    setLine(".door-result-hint", S.dismiss);
    overlayShown = true;
    shownKind = kind;
    clearTimeout(overlayTimer);
    overlayTimer = setTimeout(hideResult, SHOW_MS[kind]);
    vibrate(kind);
    beep(kind);
  }

  function hideResult() {
    clearTimeout(overlayTimer);
    overlayShown = false;
    overlay.className = "door-result is-idle";
    overlay.setAttribute("data-result", "");
    overlay.querySelectorAll("p").forEach(function (p) { p.textContent = ""; });
  }

  overlay.addEventListener("click", hideResult);
  document.addEventListener("keydown", function (event) {
    if (overlayShown && (event.key === "Enter" || event.key === "Escape" || event.key === " ")) {
      event.preventDefault();
      hideResult();
    }
  });

  // --- Talking to the API -----------------------------------------------------

  // A request that got no answer keeps its nonce: trying the same ticket again
  // reuses it, so that a check-in the server did record is not counted twice.
  const pendingNonces = new Map();

  async function checkIn(payload, key) {
    let nonce = pendingNonces.get(key);
    if (!nonce) {
      if (pendingNonces.size > 100) pendingNonces.clear();
      nonce = newNonce();
      pendingNonces.set(key, nonce);
    }
    const body = JSON.stringify(Object.assign({ event: config.event, nonce: nonce }, payload));
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      let response;
      try {
        response = await fetch(config.checkinsUrl, {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json",
            "Accept-Language": config.language, // the ticket's activity named in the page's language
            "X-CSRFToken": csrfToken(),
          },
          body: body,
        });
      } catch (error) {
        await sleep(400 * Math.pow(2, attempt));
        continue;
      }
      pendingNonces.delete(key);
      if (response.status === 401 || response.status === 403) {
        showResult("error", null, S.logged_out);
      } else if (!response.ok) {
        showResult("error", null, S.error);
      } else {
        const data = await response.json();
        showResult(data.result, data);
      }
      refreshStats();
      return;
    }
    showResult("error", null, S.network);
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      const error = new Error("HTTP " + response.status);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  // --- Counter ------------------------------------------------------------------

  async function refreshStats() {
    let stats;
    try {
      stats = await getJSON(config.statsUrl);
    } catch (error) {
      return; // the next refresh will try again
    }
    document.querySelectorAll("[data-stat]").forEach(function (element) {
      const value = stats[element.getAttribute("data-stat")];
      if (value !== undefined) element.textContent = String(value);
    });
  }

  setInterval(function () {
    if (!document.hidden) refreshStats();
  }, STATS_EVERY_MS);

  // --- Camera and decoding ------------------------------------------------------

  let stream = null;
  let detector = null;
  let canvas = null;
  let context = null;
  let busy = false;
  let lastCode = "";
  let lastCodeUntil = 0; // lastCode is ignored until then
  let scanTimer = null;

  async function makeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.indexOf("qr_code") === -1) return null;
      return new window.BarcodeDetector({ formats: ["qr_code"] });
    } catch (error) {
      return null;
    }
  }

  async function decodeFrame() {
    if (detector) {
      const codes = await detector.detect(video);
      return codes.length ? codes[0].rawValue : null;
    }
    if (typeof window.jsQR !== "function") return null;
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (!width || !height) return null;
    if (!canvas) {
      canvas = document.createElement("canvas");
      context = canvas.getContext("2d", { willReadFrequently: true });
    }
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(video, 0, 0, width, height);
    const image = context.getImageData(0, 0, width, height);
    const found = window.jsQR(image.data, width, height, { inversionAttempts: "dontInvert" });
    return found && found.data ? found.data : null;
  }

  async function scanOnce() {
    if (!stream || busy || overlayShown || video.readyState < 2) return;
    busy = true;
    try {
      const code = await decodeFrame();
      if (code && (code !== lastCode || Date.now() >= lastCodeUntil)) {
        lastCode = code;
        lastCodeUntil = Infinity; // while its request is on
        try {
          await checkIn({ secret: code }, "secret:" + code);
        } finally {
          // Counted from when its answer showed, after the request's own time.
          lastCodeUntil = Date.now() + Math.max(SHOW_MS[shownKind] + SAME_CODE_AFTER_MS, SAME_CODE_MIN_MS);
        }
      }
    } catch (error) {
      // a frame that cannot be read: try the next one
    } finally {
      busy = false;
    }
  }

  function scanLoop() {
    scanOnce().then(function () {
      if (stream) scanTimer = setTimeout(scanLoop, SCAN_EVERY_MS);
    });
  }

  async function startCamera() {
    if (stream) return;
    cameraStart.hidden = true;
    if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== "function") {
      cameraStatus.textContent = S.camera_error;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: "environment", width: { ideal: 1280 }, height: { ideal: 720 } },
      });
    } catch (error) {
      stream = null;
      const name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") cameraStatus.textContent = S.camera_denied;
      else if (name === "NotFoundError" || name === "OverconstrainedError") cameraStatus.textContent = S.camera_missing;
      else cameraStatus.textContent = S.camera_error;
      cameraStart.hidden = false;
      return;
    }
    video.srcObject = stream;
    try {
      await video.play();
    } catch (error) {
      // muted inline video plays without a gesture; if not, frames still arrive
    }
    if (detector === null) detector = await makeDetector();
    cameraStatus.textContent = S.camera_on;
    clearTimeout(scanTimer);
    scanLoop();
  }

  function stopCamera() {
    clearTimeout(scanTimer);
    if (stream) {
      stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
    }
    video.srcObject = null;
  }

  cameraStart.addEventListener("click", startCamera);
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stopCamera();
    } else {
      startCamera();
      refreshStats();
    }
  });

  // --- Manual search ------------------------------------------------------------

  const STATUS_LABELS = {
    confirmed: S.status_confirmed,
    waitlisted: S.status_waitlisted,
    cancelled: S.status_cancelled,
  };
  let searchSequence = 0;
  let lastQuery = "";
  let searchTimer = null;

  function attendeeItem(attendee) {
    const item = document.createElement("li");
    item.className = "door-attendee";
    const text = document.createElement("div");
    const name = document.createElement("p");
    name.className = "door-attendee-name";
    name.textContent = attendee.name;
    const meta = document.createElement("p");
    meta.className = "door-attendee-meta";
    const parts = [attendee.code, format(S.seats, { seats: attendee.seats }), STATUS_LABELS[attendee.status] || ""];
    if (attendee.checked_in_at) parts.push(format(S.checked_in_at, { time: formatTime(attendee.checked_in_at) }));
    meta.textContent = parts.filter(Boolean).join(" · ");
    text.appendChild(name);
    text.appendChild(meta);
    if (attendee.status === "cancelled" || attendee.status === "waitlisted") {
      // Found, but no seat: said in words (and colour), with no check-in button.
      item.classList.add("door-attendee-" + attendee.status);
      const note = document.createElement("p");
      note.className = "door-attendee-note";
      note.textContent = S[attendee.status];
      text.appendChild(note);
    }
    item.appendChild(text);
    if (attendee.status === "confirmed" && !attendee.checked_in_at) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = S.check_in;
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " " + attendee.name;
      button.appendChild(hidden);
      button.addEventListener("click", async function () {
        button.disabled = true;
        await checkIn({ registration: attendee.id }, "registration:" + attendee.id);
        search(lastQuery, true);
      });
      item.appendChild(button);
    }
    return item;
  }

  async function search(query, quiet) {
    query = query.trim();
    const sequence = ++searchSequence;
    if (query.length < 2) {
      resultsList.textContent = "";
      searchStatus.textContent = query.length ? S.too_short : "";
      return;
    }
    lastQuery = query;
    if (!quiet) searchStatus.textContent = S.searching;
    let found;
    try {
      found = await getJSON(config.attendeesUrl + "?q=" + encodeURIComponent(query));
    } catch (error) {
      if (sequence === searchSequence) {
        searchStatus.textContent = error.status === 401 || error.status === 403 ? S.logged_out : S.network;
      }
      return;
    }
    if (sequence !== searchSequence) return; // an answer to an older query
    resultsList.textContent = "";
    found.forEach(function (attendee) { resultsList.appendChild(attendeeItem(attendee)); });
    searchStatus.textContent = found.length ? format(S.results, { count: found.length }) : S.no_results;
  }

  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    search(searchInput.value, false);
  });
  searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      if (searchInput.value.trim().length >= 2) search(searchInput.value, false);
    }, 400);
  });

  // --- Start ----------------------------------------------------------------------

  hideResult();
  startCamera();
})();
