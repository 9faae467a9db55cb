// The poverty map: MapLibre GL JS over the server's own style, tiles and glyphs. State (view, indicator, selected
// unit, language) lives in the URL's hash, so a link reproduces what a person saw.
import * as maplibregl from './lib/maplibre-gl.mjs';
import { STRINGS, LANGUAGES } from './strings.js';
import { createPanel } from './panel.js';
import { createSearch } from './search.js';
import { createDrawing, DRAWING } from './draw.js';

// Start MapLibre's worker (its 0.5 MB module) while the style downloads, not after.
maplibregl.prewarm();

// Milestones of the first view, in ms since navigation started (benchmarks/map reads them).
const timings = { modules: performance.now() };
window.povertyMapTimings = timings;
const config = JSON.parse(document.getElementById('map-config').textContent);
const api = path => `${config.base}${path}`;
const SOURCE = 'poverty';
const HATCH = 'no-data-hatch';

// --- URL state: #map=zoom/lat/lon (MapLibre's hash) & indicator= & unit=level/code & lang=
function readState() {
  const params = new URLSearchParams(location.hash.slice(1));
  const unit = params.get('unit')?.split('/');
  return {
    indicator: params.get('indicator'),
    unit: unit?.length === 2 ? { level: unit[0], code: unit[1] } : null,
    lang: LANGUAGES.includes(params.get('lang')) ? params.get('lang') : 'es',
    hasView: params.has('map'),
    targeting: params.get('targeting'),
  };
}

function writeState(changes) {
  const parts = location.hash.slice(1).split('&').filter(Boolean);
  const kept = parts.filter(p => !(p.split('=')[0] in changes));
  for (const [key, value] of Object.entries(changes)) {
    if (value != null && value !== '') {
      kept.push(`${key}=${value}`);
    }
  }

  history.replaceState(history.state, '', `${location.pathname}${location.search}#${kept.join('&')}`);
}

const state = readState();
let strings = STRINGS[state.lang];

// The panel opens below the toolbar, whose height depends on the width and the language.
const toolbar = document.querySelector('.toolbar');
new ResizeObserver(() => document.documentElement.style.setProperty('--toolbar-bottom', `${toolbar.offsetTop + toolbar.offsetHeight}px`)).observe(toolbar);

// --- Language
function applyLanguage() {
  strings = STRINGS[state.lang];
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = strings[el.dataset.i18n];
  }

  for (const el of document.querySelectorAll('[data-i18n-aria]')) {
    el.setAttribute('aria-label', strings[el.dataset.i18nAria]);
  }

  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = strings[el.dataset.i18nPlaceholder];
  }

  for (const el of document.querySelectorAll('.api-links a[data-rel]')) {
    const download = el.dataset.rel === 'enclosure' && new URL(el.href).pathname.match(/\/collections\/([^/]+)\/items$/);
    const format = new URL(el.href).searchParams.get('f');
    el.textContent = download ? strings.downloadLink(download[1], strings.fileFormats[format] ?? format)
      : strings.apiLinks[el.dataset.rel] ?? el.textContent;
  }

  document.getElementById('language').lang = state.lang === 'es' ? 'en' : 'es';
}

applyLanguage();
// While the dataset loads the header has no downloads yet.
document.querySelector('.api-links .downloads').hidden = !document.querySelector('.api-links .downloads a');

// --- Indicators: titles and units from the server's configuration, the list from the style (the data's columns)
function indicatorInfo(name) {
  const configured = Object.entries(config.indicators).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];
  // Without a Map:Indicators entry, the style's description (the dataset's column descriptions).
  const described = style.metadata['tileserver:indicators'].find(i => i.name === name);
  const title = configured?.title?.[state.lang] ?? configured?.title?.es ?? described?.title ?? name;
  const unitKey = configured?.unit ?? described?.unit ?? '';
  const rank = configured?.rankLabel?.[state.lang]
    ?? ((configured?.higherIsWorse ?? true) ? strings.rankHighest : strings.rankLowest);
  return { name, title, unit: strings.units[unitKey] ?? unitKey, higherIsWorse: configured?.higherIsWorse ?? true, rank };
}

const numberFormat = (value, digits) => new Intl.NumberFormat(state.lang === 'es' ? 'es-PE' : 'en-US', { maximumFractionDigits: digits }).format(value);

function formatValue(value, info) {
  if (value == null) {
    return strings.noData;
  }

  const size = Math.abs(value);
  const digits = info.unit === strings.units.persons || size >= 1000 ? 0 : size >= 10 ? 1 : size >= 1 ? 2 : 3;
  const text = numberFormat(value, digits);
  return info.unit === '%' ? `${text} %` : info.unit ? `${text} ${info.unit}` : text;
}

// --- The style: fetched once per indicator; the map keeps its sources and only the fill colours change
async function fetchStyle(indicator) {
  const query = indicator ? `?indicator=${encodeURIComponent(indicator)}` : '';
  for (;;) {
    const response = await fetch(api(`/styles/poverty.json${query}`));
    if (response.status === 503) {
      showNotice(strings.notReady);
      await new Promise(resolve => setTimeout(resolve, 2000));
      continue;
    }

    if (response.status === 400 && indicator) {
      return fetchStyle(null);
    }

    if (!response.ok) {
      throw new Error(`${response.status} ${response.statusText}`);
    }

    showNotice(null);
    return response.json();
  }
}

function showNotice(text) {
  const hint = document.getElementById('draw-hint');
  hint.hidden = !text;
  hint.textContent = text ?? '';
}

let style = await fetchStyle(state.indicator);
timings.style = performance.now();
let legend = style.metadata['tileserver:legend'];
state.indicator = style.metadata['tileserver:indicator'];
// The style's fills: one layer per class and level, and one for the units without a value (`{layer}-fill-{class}`).
const isClassFill = layer => layer.type === 'fill' && /-fill-(\d+|nodata)$/.test(layer.id);
const fillLayers = () => map.getStyle().layers.filter(isClassFill).map(l => l.id);

// A basemap (Map:BasemapStyle) goes under the poverty layers; its own labels replace ours (its glyph server need
// not have our font), and the fills let it show through.
function overBasemap(layer) {
  return config.basemapStyle && layer.type === 'fill' ? { ...layer, paint: { ...layer.paint, 'fill-opacity': 0.7 } } : layer;
}

async function initialStyle() {
  if (!config.basemapStyle) {
    return style;
  }

  const base = await (await fetch(config.basemapStyle)).json();
  base.sources = { ...base.sources, ...style.sources };
  const ours = style.layers.filter(l => l.type !== 'background' && l.type !== 'symbol').map(overBasemap);
  base.layers = [...base.layers, ...ours];
  return base;
}

const map = new maplibregl.Map({
  container: 'map',
  style: withPageLayers(await initialStyle()),
  hash: 'map',
  bounds: state.hasView ? undefined : style.metadata['tileserver:bounds'],
  fitBoundsOptions: { padding: { top: 72, bottom: 16, left: 16, right: 16 } },
  attributionControl: { compact: true },
  // The labels appear at once: a fade would hold back the first `idle` by its 300 ms.
  fadeDuration: 0,
  dragRotate: false,
  pitchWithRotate: false,
  touchPitch: false,
  // The PNG download and the tests read the drawn pixels back.
  canvasContextAttributes: { preserveDrawingBuffer: true },
});
map.touchZoomRotate.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
map.addControl(new maplibregl.ScaleControl(), 'bottom-right');
window.povertyMap = map;
// The hatching is made here, when the first unit without a value asks for it.
map.setMissingStyleImageResolver(id => {
  if (id === HATCH && !map.hasImage(HATCH)) {
    map.addImage(HATCH, hatchImage());
  }
});
map.once('load', () => {
  timings.load = performance.now();
});
map.once('idle', () => {
  // The first rendered view, in ms since navigation started (scripts measure it; see benchmarks/map).
  timings.idle = performance.now();
  window.povertyMapFirstIdle = timings.idle;
});

// --- Legend
function currentLevel() {
  const zoom = map.getZoom();
  return legend.levels.find(l => zoom >= (l.minzoom ?? 0) && (l.maxzoom == null || zoom < l.maxzoom)) ?? legend.levels[legend.levels.length - 1];
}

function renderLegend() {
  const level = currentLevel();
  if (!level) {
    return;
  }

  const info = indicatorInfo(state.indicator);
  document.getElementById('legend-title').textContent = strings.legendTitle(info.title, strings.levels[level.level]);
  const list = document.getElementById('legend-classes');
  list.replaceChildren();
  const format = v => formatValue(v, info);
  level.colors.forEach((color, i) => {
    const from = i === 0 ? null : level.breaks[i - 1];
    const to = i < level.breaks.length ? level.breaks[i] : null;
    const label = from == null && to == null ? `${format(level.min)} – ${format(level.max)}`
      : from == null ? strings.legendBelow(format(to))
        : to == null ? strings.legendFrom(format(from))
          : `${format(from)} – ${format(to)}`;
    list.append(legendItem(color, label, { from: from ?? '', to: to ?? '', color }));
  });
  list.append(legendItem(legend.noDataColor, strings.noDataUnits(level.missing), { nodata: 'true', color: legend.noDataColor }));
}

function legendItem(color, label, data) {
  const item = document.createElement('li');
  Object.assign(item.dataset, data);
  const swatch = document.createElement('span');
  swatch.className = data.nodata ? 'swatch nodata' : 'swatch';
  swatch.style.background = data.nodata ? '' : color;
  swatch.setAttribute('aria-hidden', 'true');
  item.append(swatch, document.createTextNode(label));
  return item;
}

// --- Indicator selector
const select = document.getElementById('indicator');
function renderIndicators() {
  select.replaceChildren(...style.metadata['tileserver:indicators'].map(i => {
    const option = document.createElement('option');
    option.value = i.name;
    option.textContent = indicatorInfo(i.name).title;
    option.selected = i.name === state.indicator;
    return option;
  }));
}

select.addEventListener('change', async () => {
  style = await fetchStyle(select.value);
  legend = style.metadata['tileserver:legend'];
  state.indicator = style.metadata['tileserver:indicator'];
  // The new indicator's class fills take the old ones' place, under the page's hatching; sources stay.
  const before = map.getStyle().layers.find(l => l.source === SOURCE && !isClassFill(l))?.id;
  for (const id of fillLayers()) {
    map.removeLayer(id);
  }

  for (const layer of style.layers.filter(isClassFill)) {
    map.addLayer(overBasemap(layer), before);
  }

  for (const level of legend.levels) {
    map.setFilter(`${level.layer}-hatch`, ['!', ['has', state.indicator]]);
  }

  writeState({ indicator: state.indicator });
  renderLegend();
  panel.refresh();
});

// --- Layers the page adds: hatching over units without a value, hover and selection outlines
function hatchImage() {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x + y) % size < 2) {
        data.set([90, 90, 90, 255], (y * size + x) * 4);
      }
    }
  }

  return { width: size, height: size, data };
}

/**
 * The style with the page's own layers, composed before the map starts so that the first render draws everything:
 * hatching over units without a value right above the fills, hover and selection outlines above the borders and
 * under the names, and the drawing layers on top.
 */
function withPageLayers(base) {
  const layers = [...base.layers];
  const insert = (layer, before) => {
    const at = layers.findIndex(l => l.id === before);
    layers.splice(at < 0 ? layers.length : at, 0, layer);
  };
  const ours = layers.filter(l => l.source === SOURCE);
  const firstLine = ours.find(l => l.type === 'line')?.id;
  const firstSymbol = ours.find(l => l.type === 'symbol')?.id;
  for (const level of legend.levels) {
    const zooms = { minzoom: level.minzoom ?? 0, ...(level.maxzoom != null ? { maxzoom: level.maxzoom } : {}) };
    insert({
      id: `${level.layer}-hatch`, type: 'fill', source: SOURCE, 'source-layer': level.layer, ...zooms,
      filter: ['!', ['has', state.indicator]], paint: { 'fill-pattern': HATCH },
    }, firstLine);
    // Hidden until the first hover or selection: drawn from the start, it would cost the first view a pass over
    // every border for nothing.
    insert({
      id: `${level.layer}-highlight`, type: 'line', source: SOURCE, 'source-layer': level.layer, ...zooms,
      layout: { visibility: 'none' },
      paint: {
        'line-color': ['case', ['boolean', ['feature-state', 'selected'], false], '#0b3d91', '#111111'],
        'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3.5, ['boolean', ['feature-state', 'hover'], false], 2, 0],
      },
    }, firstSymbol);
  }

  return { ...base, sources: { ...base.sources, ...DRAWING.sources }, layers: [...layers, ...DRAWING.layers] };
}

// --- Hover (feature-state) with the name and value, click to open a unit
const tooltip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'hover-tooltip', offset: 12 });
let hovered = null;
function setHovered(feature) {
  if (hovered && (!feature || hovered.id !== feature.id || hovered.sourceLayer !== feature.sourceLayer)) {
    map.setFeatureState({ source: SOURCE, sourceLayer: hovered.sourceLayer, id: hovered.id }, { hover: false });
  }

  hovered = feature ? { id: feature.id, sourceLayer: feature.sourceLayer } : null;
  if (hovered) {
    showHighlights();
    map.setFeatureState({ source: SOURCE, sourceLayer: hovered.sourceLayer, id: hovered.id }, { hover: true });
  }
}

function onHover(e, features) {
  if (drawing.active) {
    return;
  }

  const feature = features[0];
  setHovered(feature);
  map.getCanvas().style.cursor = feature ? 'pointer' : '';
  if (!feature) {
    tooltip.remove();
    return;
  }

  const info = indicatorInfo(state.indicator);
  tooltip.setLngLat(e.lngLat).setText(`${feature.properties.name}: ${formatValue(feature.properties[state.indicator], info)}`).addTo(map);
}

let highlightsShown = false;
function showHighlights() {
  if (!highlightsShown) {
    highlightsShown = true;
    for (const level of legend.levels) {
      map.setLayoutProperty(`${level.layer}-highlight`, 'visibility', 'visible');
    }
  }
}

let selected = null;
function selectUnit(level, code) {
  if (selected) {
    map.setFeatureState({ source: SOURCE, sourceLayer: `${selected.level}s`, id: Number(selected.code) }, { selected: false });
  }

  selected = level && code ? { level, code } : null;
  if (selected && /^\d+$/.test(code)) {
    showHighlights();
    map.setFeatureState({ source: SOURCE, sourceLayer: `${level}s`, id: Number(code) }, { selected: true });
  }

  writeState({ unit: selected ? `${level}/${code}` : null });
}

// On a phone both panels are bottom sheets: one at a time.
const phone = window.matchMedia('(max-width: 600px)');
const panel = createPanel({
  api, strings: () => strings, indicatorInfo, formatValue, numberFormat,
  currentIndicator: () => state.indicator,
  indicators: () => style.metadata['tileserver:indicators'].map(i => i.name),
  onSelect: selectUnit,
  onShow: () => {
    if (phone.matches) {
      targeting?.hide();
    }
  },
  fitTo: bbox => map.fitBounds(bbox, { padding: 48, maxZoom: 12 }),
});

// --- Targeting: its module and map layers load on first use, so the first view does not wait for them.
let targeting = null;
async function targetingPanel() {
  if (!targeting) {
    const { createTargeting, targetingLayers } = await import('./targeting.js');
    const layers = map.getStyle().layers;
    const firstLine = layers.find(l => l.source === SOURCE && l.type === 'line')?.id;
    const firstSymbol = layers.find(l => l.source === SOURCE && l.type === 'symbol')?.id;
    for (const layer of targetingLayers(legend.levels)) {
      map.addLayer(layer, layer.type === 'fill' ? firstLine : firstSymbol);
    }

    targeting ??= createTargeting({
      map, api, strings: () => strings, indicatorInfo, formatValue, numberFormat, writeState,
      indicators: () => style.metadata['tileserver:indicators'].map(i => i.name),
      indicatorEntry: name => style.metadata['tileserver:indicators'].find(i => i.name === name),
      levels: () => legend.levels,
      defaultMeasure: config.defaultIndicator,
      onOpen: () => {
        if (phone.matches) {
          panel.close();
        }
      },
    });
  }

  return targeting;
}

document.getElementById('targeting-open').addEventListener('click', async () => (await targetingPanel()).toggle());

const drawing = createDrawing({ map, maplibregl, api, strings: () => strings, panel, showNotice });

map.on('load', () => {
  renderIndicators();
  renderLegend();
  // The fill layers change with the indicator, so the handlers ask for the units under the pointer themselves.
  const unitsAt = e => map.queryRenderedFeatures(e.point, { layers: fillLayers() });
  map.on('mousemove', e => onHover(e, unitsAt(e)));
  map.getCanvasContainer().addEventListener('mouseleave', () => {
    setHovered(null);
    tooltip.remove();
    map.getCanvas().style.cursor = '';
  });
  map.on('click', e => {
    const feature = drawing.handles(e) ? null : unitsAt(e)[0];
    if (feature) {
      panel.showUnit(feature.sourceLayer.replace(/s$/, ''), String(feature.properties.code));
    }
  });
  map.on('zoomend', renderLegend);
  if (state.unit) {
    panel.showUnit(state.unit.level, state.unit.code);
  }

  if (state.targeting) {
    targetingPanel().then(t => t.open(state.targeting));
  }
});

// --- Search, "where am I?", PNG, language
createSearch({
  api, strings: () => strings, input: document.getElementById('search'), list: document.getElementById('search-results'),
  onChoose: result => {
    map.fitBounds(result.bbox, { padding: 48, maxZoom: result.level === 'district' ? 12 : result.level === 'province' ? 9 : 7 });
    panel.showUnit(result.level, result.code);
  },
});

let marker = null;
document.getElementById('locate').addEventListener('click', () => {
  panel.showMessage(strings.locating);
  navigator.geolocation.getCurrentPosition(async position => {
    const { latitude, longitude } = position.coords;
    marker ??= new maplibregl.Marker({ color: '#0b3d91' });
    marker.setLngLat([longitude, latitude]).addTo(map);
    map.flyTo({ center: [longitude, latitude], zoom: Math.max(map.getZoom(), 11) });
    await panel.showLocation(latitude, longitude);
  }, error => panel.showMessage(strings.locationUnavailable + error.message), { enableHighAccuracy: true, timeout: 15000 });
});

document.getElementById('download').addEventListener('click', () => {
  map.getCanvas().toBlob(blob => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `mapa-pobreza-${state.indicator}.png`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }, 'image/png');
});

document.getElementById('language').addEventListener('click', () => {
  state.lang = state.lang === 'es' ? 'en' : 'es';
  writeState({ lang: state.lang === 'es' ? null : state.lang });
  applyLanguage();
  renderIndicators();
  renderLegend();
  panel.refresh();
  targeting?.refresh();
});
