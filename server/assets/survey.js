// The public survey answer page: sends the answer as JSON (with the CSRF
// header every write needs) and shows the message the page already holds
// for the outcome. All text is in the page, in its language.
'use strict';

document.addEventListener('DOMContentLoaded', () => {
  const form = document.getElementById('answer');
  if (!form) return;
  const button = form.querySelector('button[type=submit]');
  const label = button.textContent;
  const messages = form.querySelectorAll('.message');
  const show = (id) => {
    messages.forEach((m) => { m.hidden = m.id !== id; });
  };
  const finish = (id) => {
    form.hidden = true;
    const done = document.getElementById(id);
    done.hidden = false;
    done.focus();
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const picked = form.querySelector('input[name=score]:checked');
    if (!picked) {
      show('msg-pick');
      form.querySelector('input[name=score]').focus();
      return;
    }
    const comment = form.querySelector('textarea').value.trim();
    const body = { score: Number(picked.value) };
    if (comment) body.comment = comment;
    show(null);
    button.disabled = true;
    button.textContent = form.dataset.sending;
    try {
      const response = await fetch(form.dataset.api, {
        method: 'POST',
        credentials: 'omit',
        headers: { 'content-type': 'application/json', 'x-kizuna-csrf': '1' },
        body: JSON.stringify(body),
      });
      if (response.status === 201) return finish('done-thanks');
      if (response.status === 409) return finish('done-answered');
      if (response.status === 410 || response.status === 404) return finish('done-gone');
      show(response.status === 429 ? 'msg-limited' : response.status === 400 ? 'msg-invalid' : 'msg-failed');
    } catch (_) {
      show('msg-failed');
    }
    button.disabled = false;
    button.textContent = label;
  });
});
