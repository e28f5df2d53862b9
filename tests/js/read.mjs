// Reads an iCalendar file on stdin with ical.js, using only the file's own VTIMEZONEs, and
// prints each VEVENT's UID with its start and end as UTC instants (or dates) in JSON.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const instant = (time) =>
  time.isDate ? time.toString() : time.toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    location: event.location,
    start: instant(event.startDate),
    end: instant(event.endDate),
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
  };
});
const name = calendar.getFirstPropertyValue("name");
process.stdout.write(JSON.stringify({ name, events }));
