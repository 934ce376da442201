// «Печать» on a printable console page: the button shows only where JavaScript can print (Ctrl+P works anyway).
document.querySelectorAll('[data-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
});
