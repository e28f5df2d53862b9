// The character count under an inquiry's message, kept up to date as it is typed. Without
// this script the count reads what the page was sent with, and the limit still holds.
document.querySelectorAll("textarea[maxlength]").forEach((area) => {
  const count = document.getElementById(`${area.id}-count`);
  if (!count) return;
  const language = document.documentElement.lang || "en";
  const limit = Number(area.maxLength).toLocaleString(language);
  // The words, in the page's language (inquiries/_form.html writes them).
  const words = count.dataset.template || "{count} of {most} characters";
  const update = () => {
    const typed = area.value.length.toLocaleString(language);
    count.textContent = words.replace("{count}", typed).replace("{most}", limit);
  };
  area.addEventListener("input", update);
  update();
});

// A refused form: its error summary takes the focus, so a screen reader reads it and Tab goes
// on to its links. Chromium skips autofocus on a page whose address has a fragment (the form
// posts to #inquiry, to land on it), so the focus is given once the page has loaded.
const summary = document.querySelector(".notice.error[autofocus]");
if (summary) window.addEventListener("load", () => summary.focus());
