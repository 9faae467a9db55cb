// The search box: an ARIA combobox over /v1/search (suggestions as one types; arrows, Enter and Escape work).
import { el } from './panel.js';

export function createSearch({ api, strings, input, list, onChoose }) {
  let results = [];
  // The query the shown results answer: typing outruns the suggestions, and Enter must not open the answer to an
  // earlier prefix ("a" lists AREQUIPA while the box already says "asuncion").
  let resultsFor = null;
  let active = -1;
  let timer = 0;
  let controller = null;

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 150);
  });
  input.addEventListener('keydown', e => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (results.length) {
        setActive((active + (e.key === 'ArrowDown' ? 1 : results.length - 1)) % results.length);
      }
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (resultsFor !== input.value.trim()) {
        clearTimeout(timer);
        suggest().then(() => results[0] && resultsFor === input.value.trim() && choose(results[0]));
        return;
      }

      const chosen = results[Math.max(active, 0)];
      if (chosen) {
        choose(chosen);
      }
    } else if (e.key === 'Escape') {
      hide();
    }
  });
  input.addEventListener('blur', () => setTimeout(hide, 200));

  async function suggest() {
    const query = input.value.trim();
    controller?.abort();
    if (!query) {
      hide();
      return;
    }

    controller = new AbortController();
    try {
      const response = await fetch(api(`/v1/search?q=${encodeURIComponent(query)}&limit=8`), { signal: controller.signal });
      results = response.ok ? (await response.json()).results : [];
      resultsFor = query;
      render(response.ok ? strings().searchNoResults : strings().searchFailed);
    } catch (error) {
      if (error.name !== 'AbortError') {
        results = [];
        resultsFor = null;
        render(strings().searchFailed);
      }
    }
  }

  function render(emptyText) {
    const t = strings();
    active = -1;
    input.removeAttribute('aria-activedescendant');
    list.replaceChildren(...(results.length ? results.map((r, i) => {
      const parents = [r.province?.name, r.department?.name].filter(Boolean).join(', ');
      const option = el('li', { id: `search-option-${i}`, role: 'option', className: 'option' },
        el('span', { className: 'name' }, r.name),
        el('span', { className: 'where' }, `${t.levels[r.level]}${parents ? ` · ${parents}` : ''}`));
      option.setAttribute('aria-selected', 'false');
      option.dataset.code = r.code;
      option.dataset.level = r.level;
      option.addEventListener('mousedown', e => {
        e.preventDefault();
        choose(r);
      });
      return option;
    }) : [el('li', { className: 'empty', role: 'option', 'aria-disabled': 'true' }, emptyText)]));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
  }

  function setActive(index) {
    active = index;
    for (const [i, option] of [...list.children].entries()) {
      option.setAttribute('aria-selected', String(i === index));
    }

    input.setAttribute('aria-activedescendant', `search-option-${index}`);
    list.children[index]?.scrollIntoView({ block: 'nearest' });
  }

  function hide() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  function choose(result) {
    input.value = result.name;
    hide();
    onChoose(result);
  }
}
