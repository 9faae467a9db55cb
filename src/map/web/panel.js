// The side panel (a bottom sheet on phones): a unit with its parents, estimates and ranks; "where am I?"; the
// answer for a drawn area. Everything it shows comes from the server's /v1 API.
export function createPanel(context) {
  const { api, indicatorInfo, formatValue, numberFormat, indicators, onSelect, fitTo } = context;
  const aside = document.getElementById('panel');
  const content = document.getElementById('panel-content');
  let current = null;
  let generation = 0;

  document.getElementById('panel-close').addEventListener('click', close);
  aside.addEventListener('keydown', e => {
    if (e.key === 'Escape') {
      close();
    }
  });

  function s() {
    return context.strings();
  }

  function close() {
    aside.hidden = true;
    current = null;
    onSelect(null, null);
  }

  function show(next) {
    current = next;
    render();
    aside.hidden = false;
    context.onShow();
  }

  async function getJson(url) {
    const response = await fetch(url);
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? await response.json() : null };
  }

  async function showUnit(level, code, options = {}) {
    const mine = ++generation;
    show({ kind: 'message', text: s().loading });
    const { status, body } = await getJson(api(`/v1/${level}s/${encodeURIComponent(code)}`));
    if (mine !== generation) {
      return;
    }

    if (status !== 200) {
      show({ kind: 'message', text: s().loadFailed + (body?.detail ?? status) });
      return;
    }

    show({ kind: 'unit', feature: body, location: options.location });
    onSelect(level, code);
    if (options.fit) {
      fitTo(bboxOf(body.geometry));
    }
  }

  async function showLocation(lat, lon) {
    const mine = ++generation;
    const { status, body } = await getJson(api(`/v1/lookup?lat=${lat}&lon=${lon}`));
    if (mine !== generation) {
      return;
    }

    if (status === 404) {
      show({ kind: 'message', text: s().locationOutside });
      return;
    }

    if (status !== 200) {
      show({ kind: 'message', text: s().loadFailed + (body?.detail ?? status) });
      return;
    }

    await showUnit('district', body.code, { location: { match: body.match, distance: body.distanceMeters, lat, lon } });
  }

  function showAggregate(result, area) {
    ++generation;
    onSelect(null, null);
    show({ kind: 'aggregate', result, area });
  }

  function showMessage(text) {
    ++generation;
    show({ kind: 'message', text });
  }

  function render() {
    content.replaceChildren();
    if (!current) {
      return;
    }

    if (current.kind === 'message') {
      content.append(el('p', { className: 'message' }, current.text));
    } else if (current.kind === 'unit') {
      renderUnit(current.feature, current.location);
    } else {
      renderAggregate(current.result, current.area);
    }
  }

  function renderUnit(feature, location) {
    const p = feature.properties;
    const t = s();
    content.append(el('h2', { id: 'panel-title' }, p.name), el('p', { className: 'kind' }, t.levels[p.level]));
    const crumbs = [p.department && ['department', p.department], p.province && ['province', p.province]].filter(Boolean);
    if (crumbs.length) {
      const list = el('ol', { className: 'breadcrumbs' });
      for (const [level, parent] of crumbs) {
        const button = el('button', { type: 'button', className: 'link' }, parent.name);
        button.dataset.level = level;
        button.dataset.code = parent.code;
        button.setAttribute('aria-label', `${t.levels[level]} ${parent.name}`);
        button.addEventListener('click', () => showUnit(level, parent.code, { fit: true }));
        list.append(el('li', {}, button));
      }

      content.append(el('nav', { 'aria-label': 'breadcrumb' }, list));
    }

    if (location) {
      const where = location.match === 'nearest'
        ? `${t.match.nearest} ${numberFormat(location.distance, 0)} m`
        : t.match[location.match];
      const notice = el('p', { className: 'location' }, `${t.youAreIn} ${p.name} (${where})`);
      notice.dataset.match = location.match;
      notice.dataset.distance = location.distance;
      content.append(notice);
    }

    const figures = el('dl', { className: 'figures' });
    for (const [name, value] of Object.entries(p.derivedCounts ?? {})) {
      figures.append(figure(t.derived?.[name] ?? name, formatValue(value, { unit: t.units.persons }), value, name));
    }

    figures.append(figure(t.area, `${numberFormat(p.areaKm2, 1)} ${t.km2}`, p.areaKm2, 'areaKm2'));
    content.append(figures, el('h3', {}, t.estimates));
    const table = el('table', { className: 'estimates' });
    const body = el('tbody');
    const columns = indicators();
    columns.sort((a, b) => (indicatorInfo(b).unit === t.units.persons) - (indicatorInfo(a).unit === t.units.persons));
    for (const column of columns) {
      if (!(column in p.estimates)) {
        continue;
      }

      const info = indicatorInfo(column);
      const row = el('tr', {}, el('th', { scope: 'row' }, info.title), el('td', {}, formatValue(p.estimates[column], info)));
      row.dataset.column = column;
      row.dataset.value = p.estimates[column] ?? '';
      if (column === context.currentIndicator()) {
        row.className = 'current';
      }

      body.append(row);
      const rank = p.ranks?.[column];
      if (rank) {
        const lines = [];
        if (rank.province && p.province) {
          lines.push(rankText(rank.province, info, p.level, s().within.province(p.province.name)));
        }

        if (rank.department && p.department) {
          lines.push(rankText(rank.department, info, p.level, s().within.department(p.department.name)));
        }

        lines.push(rankText(rank.country, info, p.level, s().within.country));
        const cell = el('td', { colSpan: 2 }, lines.join(' · '));
        const rankRow = el('tr', { className: 'rank' }, cell);
        rankRow.dataset.column = column;
        body.append(rankRow);
      }
    }

    table.append(body);
    content.append(table, el('h3', {}, t.links));
    const plural = `${p.level}s`;
    const code = encodeURIComponent(p.code);
    const links = el('ul', { className: 'links' },
      el('li', {}, el('a', { href: api(`/v1/${plural}/${code}`), type: 'application/geo+json' }, t.linkGeoJson)),
      el('li', {}, el('a', { href: api(`/collections/${plural}/items?f=csv&filter=${encodeURIComponent(`code='${p.code}'`)}`), type: 'text/csv' }, t.linkCsv)),
      el('li', {}, el('a', { href: api(`/collections/${plural}/items/${code}`), type: 'application/geo+json' }, t.linkOgc)));
    content.append(links);
  }

  function rankText(rank, info, level, where) {
    const t = s();
    const position = info.higherIsWorse ? rank.fromHighest : rank.fromLowest;
    return `${t.rankOrdinal(position, numberFormat(position, 0))} ${info.rank} ${t.of} ${numberFormat(rank.of, 0)} ${t.levelsPlural[level]} ${where}`;
  }

  function renderAggregate(result, area) {
    const t = s();
    const title = el('h2', { id: 'panel-title' }, t.aggregateTitle);
    const d = area.data;
    const description = el('p', { className: 'area' }, area.kind === 'box' ? `${t.drawBox}: ${d.bbox.replaceAll(',', ', ')}`
      : area.kind === 'circle' ? `${t.drawCircle}: ${t.radius} ${numberFormat(d.radiusKm, 2)} ${t.km}`
        : `${t.drawPolygon}: ${d.vertices}`);
    description.dataset.kind = area.kind;
    Object.assign(description.dataset, area.data);
    const figures = el('dl', { className: 'figures' });
    figures.append(figure(t.aggregatePopulation, formatValue(result.population, { unit: t.units.persons }), result.population, 'population'));
    for (const [name, value] of Object.entries(result.derivedCounts ?? {})) {
      figures.append(figure(t.derived?.[name] ?? name, formatValue(value, { unit: t.units.persons }), value, name));
    }

    figures.append(
      figure(t.aggregateDistricts, numberFormat(result.districts, 0), result.districts, 'districts'),
      figure(t.aggregateCoverage, `${numberFormat(result.coverage * 100, 1)} %`, result.coverage, 'coverage'),
      figure(t.aggregateArea, `${numberFormat(result.queryAreaKm2, 1)} ${t.km2}`, result.queryAreaKm2, 'queryAreaKm2'));
    const body = el('tbody');
    for (const [column, value] of Object.entries(result.estimates ?? {})) {
      const info = indicatorInfo(column);
      const row = el('tr', {}, el('th', { scope: 'row' }, info.title), el('td', {}, formatValue(value, info)));
      row.dataset.column = column;
      row.dataset.value = value ?? '';
      body.append(row);
    }

    content.append(title, description, figures, el('h3', {}, t.aggregateRates), el('table', { className: 'estimates' }, body));
  }

  function figure(label, text, value, key) {
    const dd = el('dd', {}, text);
    dd.dataset.value = value ?? '';
    const group = el('div', {}, el('dt', {}, label), dd);
    group.dataset.key = key;
    return group;
  }

  return { showUnit, showLocation, showAggregate, showMessage, refresh: render, close };
}

/** [west, south, east, north] of a GeoJSON geometry's coordinates. */
export function bboxOf(geometry) {
  const box = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = c => {
    if (typeof c[0] === 'number') {
      box[0] = Math.min(box[0], c[0]);
      box[1] = Math.min(box[1], c[1]);
      box[2] = Math.max(box[2], c[0]);
      box[3] = Math.max(box[3], c[1]);
    } else {
      c.forEach(walk);
    }
  };
  walk(geometry.coordinates);
  return box;
}

/** A DOM element with properties (attributes for names containing '-') and children (strings become text). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.includes('-')) {
      node.setAttribute(key, value);
    } else {
      node[key] = value;
    }
  }

  node.append(...children);
  return node;
}
