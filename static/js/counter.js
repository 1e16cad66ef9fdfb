// Under every text box with a length limit, how much of it is used ("120 / 5000"), so that nobody writes a long
// account only to be told it is too long. The limit itself is in the field's help text and its maxlength.
document.querySelectorAll("textarea[maxlength]").forEach((box) => {
  const counter = document.createElement("small");
  counter.className = "muted";
  counter.setAttribute("aria-live", "polite");
  const update = () => { counter.textContent = `${box.value.length} / ${box.maxLength}`; };
  box.after(counter);
  box.addEventListener("input", update);
  update();
});
