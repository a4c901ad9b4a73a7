// One way to write numbers, counts, minutes and dates, the same as satulayar/core/formatting.py on the server:
// Indonesian 1.234,5 (English 1,234.5), counts without decimals, "242 mnt" with a no-break space,
// "Selasa, 2 Januari 2018". Charts take their axis and tooltip formatters from here.
(function (root) {
  "use strict";
  const NBSP = "\u00a0", DASH = "\u2013";
  const SEPARATORS = { id: [".", ","], en: [",", "."] };
  const DAYS = {
    id: ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
    en: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
  };
  const MONTHS = {
    id: ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
      "November", "Desember"],
    en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
      "November", "December"],
  };

  function lang(code) {
    const doc = root.document && root.document.documentElement;
    const value = (code || (doc && doc.lang) || "id").split("-")[0];
    return SEPARATORS[value] ? value : "id";
  }

  function toNumber(value) {
    if (value === null || value === undefined || value === "" || typeof value === "boolean") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }

  // Half away from zero, as the server's ROUND_HALF_UP (toFixed alone rounds 1.005 down).
  function fixed(n, digits) {
    const factor = Math.pow(10, digits);
    const scaled = Math.round((Math.abs(n) * factor) * (1 + Number.EPSILON)) / factor;
    return scaled.toFixed(digits);
  }

  function number(value, digits, options) {
    const n = toNumber(value);
    if (n === null) return DASH;
    digits = digits || 0;
    options = options || {};
    let text = fixed(n, digits);
    if (options.trim && Number(text) === Math.round(Number(text))) text = fixed(n, 0);
    const seps = SEPARATORS[lang(options.lang)];
    const parts = text.split(".");
    const whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, seps[0]);
    const sign = n < 0 && Number(text) !== 0 ? "-" : "";
    return sign + whole + (parts[1] ? seps[1] + parts[1] : "");
  }

  function count(value, unit, options) {
    const text = number(value, 0, options);
    return unit && text !== DASH ? text + NBSP + unit : text;
  }

  function measure(value, unit, digits, options) {
    const text = number(value, digits === undefined ? 1 : digits, Object.assign({ trim: true }, options));
    return unit && text !== DASH ? text + NBSP + unit : text;
  }

  function minutes(value, options) {
    return count(value, lang(options && options.lang) === "en" ? "min" : "mnt", options);
  }

  function percent(value, digits, options) {
    const text = number(value, digits === undefined ? 1 : digits, options);
    return text !== DASH ? text + NBSP + "%" : text;
  }

  // "2018-01-02" (a date, not a moment) or a Date: "Selasa, 2 Januari 2018".
  function longDate(value, options) {
    if (!value) return DASH;
    let d = value;
    if (typeof value === "string") {
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
      if (!m) return value;
      d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    }
    const code = lang(options && options.lang);
    return DAYS[code][d.getDay()] + ", " + d.getDate() + " " + MONTHS[code][d.getMonth()] + " " + d.getFullYear();
  }

  // "2018-01-02" as "2 Jan" on a crowded axis.
  function shortDate(value, options) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(value));
    if (!m) return String(value);
    return Number(m[3]) + " " + MONTHS[lang(options && options.lang)][Number(m[2]) - 1].slice(0, 3);
  }

  // A decimal hour (7.5) as a clock time: "07.30" (English "07:30").
  function clock(value, options) {
    const n = toNumber(value);
    if (n === null) return DASH;
    const total = Math.round(n * 60);
    const sep = lang(options && options.lang) === "en" ? ":" : ".";
    return String(Math.floor(total / 60)).padStart(2, "0") + sep + String(total % 60).padStart(2, "0");
  }

  // The formatter a chart's `slFormat` names: "count", "percent", "number", "minutes", "clock".
  function formatter(kind, digits) {
    switch (kind) {
      case "percent": return function (v) { return percent(v, digits === undefined ? 0 : digits); };
      case "minutes": return function (v) { return minutes(v); };
      case "clock": return function (v) { return clock(v); };
      case "number": return function (v) { return number(v, digits || 0, { trim: true }); };
      default: return function (v) { return count(v); };
    }
  }

  const api = { number: number, count: count, measure: measure, minutes: minutes, percent: percent,
    longDate: longDate, shortDate: shortDate, clock: clock, formatter: formatter, NBSP: NBSP };
  root.SLFormat = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof window !== "undefined" ? window : globalThis);
