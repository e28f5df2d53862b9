// The visitor's own time beside each timed event's: a <time> whose datetime carries a UTC
// offset (2025-03-06T09:00:00-08:00) gets "(Fri, Mar 7, 02:00 GMT+9, your time)" after it,
// where the visitor's offset at that instant is not the event's; and above a list of events,
// a switch between the events' zones and the visitor's, remembered in localStorage. The page
// is the same for everyone (it is cached): all that is the visitor's is done here. Without
// this script a page shows each event's own zone alone.
(() => {
  const KEY = "portal.times-in";
  const OFFSET = /T[0-9:.]+(?:Z|([+-])([0-9]{2}):?([0-9]{2}))$/;
  const locale = document.documentElement.lang || undefined;
  // The words, in the page's language (base.html writes them on <body>).
  const words = document.body.dataset;
  const say = (text, time) => text.replace("{time}", time);
  const clock = { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" };
  const timeOnly = new Intl.DateTimeFormat(locale, clock);
  const withDay = new Intl.DateTimeFormat(locale, {
    weekday: "short", month: "short", day: "numeric", ...clock,
  });
  const pad = (n) => String(n).padStart(2, "0");
  const day = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

  // The instant of a <time> with an offset, and whether the visitor's zone says otherwise.
  const read = (el) => {
    const value = el.getAttribute("datetime");
    const found = OFFSET.exec(value);
    const instant = new Date(value);
    if (!found || Number.isNaN(instant.getTime())) return null; // a date: the same everywhere
    const sign = found[1] === "-" ? -1 : 1;
    const offset = found[1] ? sign * (60 * Number(found[2]) + Number(found[3])) : 0;
    return { instant, own: value.slice(0, 10), differs: -instant.getTimezoneOffset() !== offset };
  };
  const shown = [];
  const done = new Set();
  document.querySelectorAll("time[datetime]").forEach((el) => {
    if (done.has(el)) return;
    const first = read(el);
    if (!first) return;
    // Two times in one element are a span (9:00 AM – 5:00 PM PST): one note for both, after it.
    const pair = [...el.parentElement.querySelectorAll(":scope > time[datetime]")];
    const last = pair.length === 2 && pair[0] === el ? read(pair[1]) : null;
    if (last) done.add(pair[1]);
    if (!first.differs && !(last && last.differs)) return;
    // The day is named when it is not the event's own day at that instant.
    const sameDay = day(first.instant) === first.own && (!last || day(last.instant) === first.own);
    const format = sameDay ? timeOnly : withDay;
    const mine = last
      ? format.formatRange(first.instant, last.instant)
      : format.format(first.instant);
    const note = document.createElement("span");
    note.className = "your-time";
    (last ? el.parentElement : el).after(note);
    shown.push({ el, note, own: el.textContent, mine, full: withDay.format(first.instant) });
  });

  const show = (yours) => {
    shown.forEach((item) => {
      const switched = yours && item.el.closest(".event-card");
      item.el.textContent = switched ? item.full : item.own;
      item.note.textContent = switched
        ? ` (${say(words.eventZone, item.own)})`
        : ` (${say(words.yourTime, item.mine)})`;
    });
  };
  const listed = shown.filter((item) => item.el.closest(".event-card"));
  let yours = false;
  try {
    yours = listed.length > 0 && localStorage.getItem(KEY) === "yours";
  } catch (e) {
    // Storage refused (a private window's settings): the choice lasts for this page.
  }
  show(yours);
  if (!listed.length) return;

  const button = document.createElement("button");
  button.type = "button";
  button.className = "zone-switch";
  const label = () => {
    button.textContent = yours ? words.showEvent : words.showYours;
  };
  button.addEventListener("click", () => {
    yours = !yours;
    try {
      localStorage.setItem(KEY, yours ? "yours" : "event");
    } catch (e) {
      // As above: not remembered, still switched.
    }
    show(yours);
    label();
  });
  label();
  const cards = listed[0].el.closest(".cards") || listed[0].el.closest(".event-card");
  cards.before(button);
})();
