// The targeting panel: which units a program enters under a rule (a threshold, the N worst, a budget), measured by
// POST /v1/targeting, with up to three rules side by side. The active rule's units are highlighted on the map through
// feature-state (`targeted`), the others faded; the rules live in the URL (`targeting=`), and the active rule's
// selection downloads as CSV. Every figure is the server's: the page only asks and shows.
import { el } from './panel.js';

const SOURCE = 'poverty';
const MAX_RULES = 3;
const NAMES = ['A', 'B', 'C'];
const KINDS = ['threshold', 'top', 'populationBudget', 'budget'];
const DEFAULTS = { threshold: null, top: 100, populationBudget: 2000000, budget: 500000000 };
const DEFAULT_PER_PERSON = 1200;
const LEVELS = ['district', 'province'];

/** The figures of a rule, in table order: the answer's member, and how it reads. */
const FIGURES = [
  ['units', 'count'], ['population', 'persons'], ['poor', 'persons'], ['coverage', 'share'], ['undercoverage', 'share'],
  ['leakage', 'share'], ['precision', 'share'], ['cgh', 'ratio'], ['bestPoorSamePopulation', 'persons'],
  ['efficiency', 'share'], ['skippedUnits', 'count'],
];

/** The overlay layers of the targeting (one fade and one outline per level), composed into the first style by app.js. */
export function targetingLayers(levels) {
  return levels.filter(l => LEVELS.includes(l.level)).flatMap(l => {
    const zooms = l.minzoom ? { minzoom: l.minzoom } : {};
    const targeted = ['boolean', ['feature-state', 'targeted'], false];
    return [
      {
        id: `targeting-${l.layer}-fade`, type: 'fill', source: SOURCE, 'source-layer': l.layer, ...zooms,
        layout: { visibility: 'none' }, paint: { 'fill-color': '#ffffff', 'fill-opacity': ['case', targeted, 0, 0.72] },
      },
      {
        id: `targeting-${l.layer}-outline`, type: 'line', source: SOURCE, 'source-layer': l.layer, ...zooms,
        layout: { visibility: 'none' }, paint: { 'line-color': '#1d2430', 'line-width': ['case', targeted, 1.6, 0] },
      },
    ];
  });
}

export function createTargeting(context) {
  const { map, api, indicatorInfo, formatValue, numberFormat, indicators, levels, writeState, onOpen } = context;
  const aside = document.getElementById('targeting');
  const opener = document.getElementById('targeting-open');
  const levelSelect = document.getElementById('targeting-level');
  const scopeSelect = document.getElementById('targeting-scope');
  const measureSelect = document.getElementById('targeting-measure');
  const tabs = aside.querySelector('.rule-tabs');
  const editor = document.getElementById('rule-editor');
  const status = document.getElementById('targeting-status');
  const table = document.getElementById('targeting-figures');
  const csvButton = document.getElementById('targeting-csv');
  const s = () => context.strings();

  let state = null;
  let answer = null;
  let pending = 0;
  let controller = null;
  let highlighted = { layer: null, ids: [] };
  const unitTables = new Map();
  let departments = null;

  document.getElementById('targeting-close').addEventListener('click', close);
  aside.addEventListener('keydown', e => {
    if (e.key === 'Escape' && !e.target.closest('select')) {
      close();
    }
  });
  levelSelect.addEventListener('change', () => change({ level: levelSelect.value }));
  scopeSelect.addEventListener('change', () => change({ scope: scopeSelect.value }));
  measureSelect.addEventListener('change', () => change({ measure: measureSelect.value }));
  csvButton.addEventListener('click', downloadCsv);

  /** Indicators a rule may select by: every rate the style lists (not counts such as the population). */
  function rates() {
    return indicators().filter(name => indicatorInfo(name).unit !== s().units.persons);
  }

  function defaultState() {
    const candidates = rates();
    const measure = candidates.includes(context.defaultMeasure) ? context.defaultMeasure : candidates[0];
    return { level: 'district', scope: '', measure, active: 0, rules: [newRule('threshold', measure, 'district')] };
  }

  function newRule(kind, indicator, level) {
    const rule = { kind, indicator, value: DEFAULTS[kind], perPerson: kind === 'budget' ? DEFAULT_PER_PERSON : null };
    if (kind === 'threshold') {
      rule.value = defaultThreshold(indicator, level);
    }

    return rule;
  }

  /** Halfway along the indicator's range at the level, rounded to ten slider steps. */
  function defaultThreshold(indicator, level) {
    const [min, max] = range(indicator, level);
    return roundTo((min + max) / 2, 10 * step(min, max));
  }

  function range(indicator, level) {
    const entry = context.indicatorEntry(indicator);
    return entry?.ranges?.[level] ?? entry?.ranges?.district ?? [0, 100];
  }

  // --- URL: targeting=level/scope/measure/active/kind:indicator:value[:perPerson],...
  function encode() {
    const rules = state.rules.map(r => [r.kind, r.indicator, r.value, ...(r.kind === 'budget' ? [r.perPerson] : [])].join(':'));
    return [state.level, state.scope || 'all', state.measure, state.active, rules.join(',')].join('/');
  }

  /** What an answer depends on: the state without the active rule. */
  function question() {
    return encode().replace(/^([^/]*\/[^/]*\/[^/]*)\/\d+\//, '$1/');
  }

  function decode(text) {
    const parts = text?.split('/');
    if (!parts || parts.length !== 5 || !LEVELS.includes(parts[0])) {
      return null;
    }

    const [level, scope, measure, active, list] = parts;
    const known = indicators();
    const rules = list.split(',').slice(0, MAX_RULES).map(item => {
      const [kind, indicator, value, perPerson] = item.split(':');
      return KINDS.includes(kind) && known.includes(indicator) && Number.isFinite(Number(value))
        ? { kind, indicator, value: Number(value), perPerson: kind === 'budget' ? Number(perPerson) || DEFAULT_PER_PERSON : null }
        : null;
    });
    if (!rules.length || rules.includes(null) || !known.includes(measure)) {
      return null;
    }

    return { level, scope: /^\d+$/.test(scope) ? scope : '', measure, active: Math.min(Math.max(Number(active) || 0, 0), rules.length - 1), rules };
  }

  // --- Opening and closing
  function open(encoded) {
    state ??= decode(encoded) ?? defaultState();
    aside.hidden = false;
    document.body.classList.add('targeting-open');
    opener.setAttribute('aria-expanded', 'true');
    onOpen();
    setOverlay(true);
    ensureZoom();
    loadDepartments();
    render();
    request();
  }

  /** Out of the way (a unit's sheet on a phone), the rules and the highlight kept. */
  function hide() {
    aside.hidden = true;
    document.body.classList.remove('targeting-open');
    opener.setAttribute('aria-expanded', 'false');
  }

  function close() {
    hide();
    controller?.abort();
    setOverlay(false);
    highlight(null, []);
    writeState({ targeting: null });
  }

  function setOverlay(visible) {
    for (const level of levels().filter(l => LEVELS.includes(l.level))) {
      const shown = visible && state && level.level === state.level ? 'visible' : 'none';
      map.setLayoutProperty(`targeting-${level.layer}-fade`, 'visibility', shown);
      map.setLayoutProperty(`targeting-${level.layer}-outline`, 'visibility', shown);
    }
  }

  /** The level's units exist in the tiles from its first zoom on: closer in, if the map is farther out. */
  function ensureZoom() {
    const level = levels().find(l => l.level === state.level);
    if (level?.minzoom && map.getZoom() < level.minzoom) {
      map.easeTo({ zoom: level.minzoom, duration: 0 });
    }
  }

  async function loadDepartments() {
    if (departments) {
      return;
    }

    departments = [];
    const response = await fetch(api('/collections/departments/items?skipGeometry=true&properties=code,name&limit=1000&sortby=name'));
    if (response.ok) {
      departments = (await response.json()).features.map(f => f.properties);
      renderScope();
    }
  }

  // --- Changes
  function change(changes) {
    const levelChanged = changes.level && changes.level !== state.level;
    Object.assign(state, changes);
    if (levelChanged) {
      setOverlay(true);
      ensureZoom();
    }

    render();
    request();
  }

  function changeRule(changes) {
    Object.assign(state.rules[state.active], changes);
    renderTable();
    request();
  }

  function request() {
    writeState({ targeting: encode() });
    clearTimeout(pending);
    // Coalesces a slider's burst of input events; the server answers a rule in well under a millisecond.
    pending = setTimeout(send, 40);
  }

  async function send() {
    controller?.abort();
    controller = new AbortController();
    const { signal } = controller;
    const body = {
      level: state.level,
      indicator: state.measure,
      ...(state.scope ? { scope: { department: state.scope } } : {}),
      rules: state.rules.map((r, i) => ({
        name: NAMES[i],
        indicator: r.indicator,
        direction: indicatorInfo(r.indicator).higherIsWorse ? 'above' : 'below',
        [r.kind]: r.value,
        ...(r.kind === 'budget' ? { perPerson: r.perPerson } : {}),
      })),
    };
    const sent = question();
    status.textContent = s().loading;
    aside.dataset.state = 'loading';
    let response;
    try {
      response = await fetch(api('/v1/targeting'), {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal,
      });
    } catch (error) {
      if (error.name !== 'AbortError') {
        fail(error.message);
      }

      return;
    }

    const json = await response.json().catch(() => null);
    // Closed or superseded while the body was read: the body's read fails with the abort, and there is nothing to show.
    if (signal.aborted) {
      return;
    }

    if (!response.ok || !json) {
      fail(json?.detail ?? response.status);
      return;
    }

    answer = { ...json, question: sent };
    renderAnswer();
  }

  function fail(detail) {
    answer = null;
    aside.dataset.state = 'error';
    status.textContent = s().loadFailed + detail;
    table.replaceChildren();
    highlight(null, []);
  }

  /** Feature-state `targeted` on the active rule's units, off on the previous ones. */
  function highlight(level, codes) {
    for (const id of highlighted.ids) {
      map.removeFeatureState({ source: SOURCE, sourceLayer: highlighted.layer, id }, 'targeted');
    }

    highlighted = { layer: level ? `${level}s` : null, ids: codes.map(Number) };
    for (const id of highlighted.ids) {
      map.setFeatureState({ source: SOURCE, sourceLayer: highlighted.layer, id }, { targeted: true });
    }
  }

  // --- Rendering
  function render() {
    if (!state) {
      return;
    }

    levelSelect.value = state.level;
    renderScope();
    measureSelect.replaceChildren(...rates().map(name => option(name, indicatorInfo(name).title, name === state.measure)));
    renderTabs();
    renderEditor();
    renderTable();
  }

  function renderScope() {
    const t = s();
    scopeSelect.replaceChildren(option('', t.scopeCountry, !state?.scope),
      ...(departments ?? []).map(d => option(d.code, `${t.levels.department} ${d.name}`, d.code === state?.scope)));
    if (state?.scope && !departments?.length) {
      scopeSelect.append(option(state.scope, `${t.levels.department} ${state.scope}`, true));
    }
  }

  function renderTabs() {
    const t = s();
    const buttons = state.rules.map((rule, i) => {
      const tab = el('button', { type: 'button', role: 'tab', id: `rule-tab-${i}`, className: 'rule-tab' }, `${t.rule} ${NAMES[i]}`);
      tab.setAttribute('aria-selected', String(i === state.active));
      tab.setAttribute('aria-controls', 'rule-editor');
      tab.tabIndex = i === state.active ? 0 : -1;
      tab.addEventListener('click', () => activate(i));
      tab.addEventListener('keydown', e => {
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          const next = (i + (e.key === 'ArrowRight' ? 1 : state.rules.length - 1)) % state.rules.length;
          activate(next);
          tabs.querySelector(`#rule-tab-${next}`)?.focus();
        }
      });
      return tab;
    });
    const add = el('button', { type: 'button', id: 'rule-add', className: 'rule-add' }, `+ ${t.addRule}`);
    add.disabled = state.rules.length >= MAX_RULES;
    add.setAttribute('aria-label', t.addRuleLabel);
    add.addEventListener('click', addRule);
    tabs.replaceChildren(...buttons, add);
    editor.setAttribute('aria-labelledby', `rule-tab-${state.active}`);
  }

  function activate(index) {
    state.active = index;
    renderTabs();
    renderEditor();
    renderAnswer();
    writeState({ targeting: encode() });
  }

  /** A new rule beside the others: the next kind the comparison lacks, by the active rule's indicator. */
  function addRule() {
    if (state.rules.length >= MAX_RULES) {
      return;
    }

    const current = state.rules[state.active];
    const kind = KINDS.find(k => !state.rules.some(r => r.kind === k)) ?? current.kind;
    state.rules.push(newRule(kind, current.indicator, state.level));
    state.active = state.rules.length - 1;
    render();
    request();
  }

  function removeRule() {
    if (state.rules.length <= 1) {
      return;
    }

    state.rules.splice(state.active, 1);
    state.active = Math.min(state.active, state.rules.length - 1);
    render();
    request();
  }

  function renderEditor() {
    const t = s();
    const rule = state.rules[state.active];
    const info = indicatorInfo(rule.indicator);
    const indicatorSelect = el('select', { id: 'rule-indicator' }, ...rates().map(name => option(name, indicatorInfo(name).title, name === rule.indicator)));
    indicatorSelect.addEventListener('change', () => {
      const next = { indicator: indicatorSelect.value };
      if (rule.kind === 'threshold') {
        next.value = defaultThreshold(indicatorSelect.value, state.level);
      }

      changeRule(next);
      renderEditor();
    });
    const kindSelect = el('select', { id: 'rule-kind' }, ...KINDS.map(k => option(k, t.ruleKinds[k], k === rule.kind)));
    kindSelect.addEventListener('change', () => {
      Object.assign(rule, newRule(kindSelect.value, rule.indicator, state.level));
      renderEditor();
      renderTable();
      request();
    });
    const rows = [field(t.selectBy, indicatorSelect), field(t.ruleKind, kindSelect)];
    if (rule.kind === 'threshold') {
      const [min, max] = range(rule.indicator, state.level);
      const unitStep = step(min, max);
      const slider = el('input', { type: 'range', id: 'rule-threshold-slider', min: floorTo(min, unitStep), max: ceilTo(max, unitStep), step: unitStep, value: rule.value });
      const number = el('input', { type: 'number', id: 'rule-threshold', step: unitStep, value: rule.value, className: 'number' });
      const comparison = info.higherIsWorse ? '≥' : '≤';
      slider.setAttribute('aria-label', t.thresholdLabel(info.title, comparison));
      number.setAttribute('aria-label', t.thresholdLabel(info.title, comparison));
      slider.addEventListener('input', () => {
        number.value = slider.value;
        changeRule({ value: Number(slider.value) });
      });
      number.addEventListener('input', () => {
        if (number.value !== '' && Number.isFinite(Number(number.value))) {
          slider.value = number.value;
          changeRule({ value: Number(number.value) });
        }
      });
      const line = el('div', { className: 'threshold' }, el('span', { className: 'comparison' }, comparison), number, el('span', {}, info.unit));
      rows.push(field(t.threshold, slider), line);
    } else if (rule.kind === 'top') {
      rows.push(field(t.topN, positive('rule-top', rule.value, 1, value => changeRule({ value }))));
    } else if (rule.kind === 'populationBudget') {
      rows.push(field(t.populationBudget, positive('rule-population-budget', rule.value, 1000, value => changeRule({ value }))));
    } else {
      rows.push(
        field(t.moneyBudget, positive('rule-budget', rule.value, 1000000, value => changeRule({ value }))),
        field(t.perPerson, positive('rule-per-person', rule.perPerson, 10, perPerson => changeRule({ perPerson }))));
    }

    const remove = el('button', { type: 'button', id: 'rule-remove', className: 'link' }, t.removeRule);
    remove.hidden = state.rules.length <= 1;
    remove.addEventListener('click', removeRule);
    editor.replaceChildren(...rows, remove);
  }

  function positive(id, value, stepSize, onChange) {
    const input = el('input', { type: 'number', id, min: 0, step: stepSize, value, className: 'number' });
    input.addEventListener('input', () => {
      const number = Number(input.value);
      if (input.value !== '' && Number.isFinite(number) && number >= 0) {
        onChange(number);
      }
    });
    return input;
  }

  function field(label, control) {
    return el('label', { className: 'field' }, el('span', {}, label), control);
  }

  function renderAnswer() {
    if (!answer || !state) {
      return;
    }

    const t = s();
    const scope = answer.scope;
    if (answer.question === question()) {
      // The state the panel shows, for scripts and tests: ready once the last change is answered.
      aside.dataset.state = 'ready';
      aside.dataset.request = encode();
    }

    status.textContent = t.scopeSummary(numberFormat(scope.units, 0), t.levelsPlural[state.level], numberFormat(scope.population, 0), numberFormat(scope.poor, 0),
      numberFormat(scope.unitsWithoutData, 0));
    status.dataset.units = scope.units;
    status.dataset.poor = scope.poor;
    renderTable();
    const active = answer.results[state.active];
    highlight(answer.level, active?.selected ?? []);
    csvButton.disabled = !active?.selected?.length;
  }

  function renderTable() {
    const t = s();
    const head = el('tr', {}, el('th', { scope: 'col' }, t.figure), ...state.rules.map((rule, i) => {
      const cell = el('th', { scope: 'col', className: i === state.active ? 'active' : '' }, `${NAMES[i]}`, el('br'), el('span', { className: 'rule-summary' }, summary(rule)));
      cell.dataset.rule = i;
      cell.addEventListener('click', () => activate(i));
      return cell;
    }));
    // While an answer is on its way the last one stays (a slider drag would flicker otherwise), marked busy.
    const results = answer?.results.length === state.rules.length ? answer.results : [];
    table.setAttribute('aria-busy', String(answer?.question !== question()));
    const body = FIGURES.map(([key, kind]) => {
      const row = el('tr', {}, el('th', { scope: 'row' }, t.figures[key]), ...state.rules.map((_, i) => {
        const value = results[i]?.[key];
        const cell = el('td', { className: i === state.active ? 'active' : '' }, value == null ? (results[i] ? '—' : '') : format(value, kind));
        cell.dataset.rule = i;
        cell.dataset.value = value ?? '';
        return cell;
      }));
      row.dataset.key = key;
      return row;
    });
    table.replaceChildren(el('caption', { className: 'visually-hidden' }, t.targetingCaption), el('thead', {}, head), el('tbody', {}, ...body));
  }

  function summary(rule) {
    const t = s();
    const info = indicatorInfo(rule.indicator);
    switch (rule.kind) {
      case 'threshold':
        return `${info.title} ${info.higherIsWorse ? '≥' : '≤'} ${formatValue(rule.value, info)}`;
      case 'top':
        return t.summaryTop(numberFormat(rule.value, 0), info.title);
      case 'populationBudget':
        return t.summaryPopulation(numberFormat(rule.value, 0), info.title);
      default:
        return t.summaryMoney(numberFormat(rule.value, 0), numberFormat(rule.perPerson, 0), info.title);
    }
  }

  function format(value, kind) {
    switch (kind) {
      case 'share':
        return `${numberFormat(value * 100, 1)} %`;
      case 'ratio':
        return numberFormat(value, 2);
      case 'persons':
        return numberFormat(value, 0);
      default:
        return numberFormat(value, 0);
    }
  }

  // --- The active rule's selection as CSV: its units worst first, with their names and every estimate
  async function downloadCsv() {
    const result = answer?.results[state.active];
    if (!result?.selected?.length) {
      return;
    }

    const level = answer.level;
    if (!unitTables.has(level)) {
      const response = await fetch(api(`/collections/${level}s/items?skipGeometry=true&limit=10000`));
      if (!response.ok) {
        status.textContent = s().loadFailed + response.status;
        return;
      }

      unitTables.set(level, new Map((await response.json()).features.map(f => [f.properties.code, f.properties])));
    }

    const units = unitTables.get(level);
    const columns = ['code', 'name', 'province', 'province_name', 'department', 'department_name'].filter(c => c in units.values().next().value);
    const estimates = indicators();
    const lines = [['order', ...columns, ...estimates].join(',')];
    result.selected.forEach((code, i) => {
      const unit = units.get(code) ?? { code };
      lines.push([i + 1, ...columns.map(c => unit[c]), ...estimates.map(c => unit[c])].map(csvField).join(','));
    });
    const blob = new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `targeting-${level}-${NAMES[state.active]}-${result.rule.indicator}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  return {
    open,
    close,
    hide,
    toggle: () => (aside.hidden ? open() : close()),
    refresh: () => {
      if (!aside.hidden) {
        render();
        renderAnswer();
      }
    },
  };
}

function option(value, text, selected) {
  const node = el('option', { value }, text);
  node.selected = selected;
  return node;
}

/** RFC 4180: quoted when it holds a comma, quote or line break; empty for a missing value. */
function csvField(value) {
  if (value == null) {
    return '';
  }

  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A slider step of about a two-hundredth of the range, a power of ten. */
function step(min, max) {
  const span = Math.max(max - min, 1e-9);
  return 10 ** (Math.floor(Math.log10(span)) - 2);
}

function roundTo(value, unit) {
  return Number((Math.round(value / unit) * unit).toFixed(10));
}

function floorTo(value, unit) {
  return Number((Math.floor(value / unit) * unit).toFixed(10));
}

function ceilTo(value, unit) {
  return Number((Math.ceil(value / unit) * unit).toFixed(10));
}
