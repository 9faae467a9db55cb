// "How many poor people live here?": draw a box, a circle (radius shown in km) or a polygon, or take the visible
// area, and show /v1/aggregate's answer in the panel.
const SOURCE = 'drawing';
const EMPTY = { type: 'FeatureCollection', features: [] };
const EARTH_RADIUS_KM = 6371.0088;

/** The drawn shape's source and layers, part of the map's first style (see app.js). */
export const DRAWING = {
  sources: { [SOURCE]: { type: 'geojson', data: EMPTY } },
  layers: [
    { id: 'drawing-fill', type: 'fill', source: SOURCE, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#0b3d91', 'fill-opacity': 0.12 } },
    { id: 'drawing-line', type: 'line', source: SOURCE, paint: { 'line-color': '#0b3d91', 'line-width': 2.5, 'line-dasharray': [2, 1] } },
    { id: 'drawing-vertex', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 4, 'circle-color': '#ffffff', 'circle-stroke-color': '#0b3d91', 'circle-stroke-width': 2 } },
  ],
};

export function createDrawing({ map, maplibregl, api, strings, panel, showNotice }) {
  const buttons = [...document.querySelectorAll('[data-draw]')];
  const hints = { box: 'drawHintBox', circle: 'drawHintCircle', polygon: 'drawHintPolygon' };
  const radiusElement = document.createElement('div');
  radiusElement.className = 'radius-label';
  const radiusLabel = new maplibregl.Marker({ element: radiusElement, anchor: 'left', offset: [12, 0] });
  let mode = null;
  let anchor = null;
  let vertices = [];
  // The last map event drawing used, so that the unit click handler leaves it alone (it runs after ours).
  let consumed = null;

  for (const button of buttons) {
    button.addEventListener('click', () => {
      if (button.dataset.draw === 'view') {
        const b = map.getBounds();
        stop();
        aggregateBox([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
      } else if (mode === button.dataset.draw) {
        stop();
      } else {
        begin(button.dataset.draw);
      }
    });
  }

  function begin(next) {
    stop();
    mode = next;
    map.dragPan.disable();
    map.doubleClickZoom.disable();
    map.boxZoom.disable();
    map.getCanvas().style.cursor = 'crosshair';
    for (const button of buttons) {
      button.setAttribute('aria-pressed', String(button.dataset.draw === mode));
    }

    showNotice(strings()[hints[mode]]);
    show(EMPTY);
  }

  function stop() {
    mode = null;
    anchor = null;
    vertices = [];
    map.dragPan.enable();
    map.doubleClickZoom.enable();
    map.boxZoom.enable();
    map.getCanvas().style.cursor = '';
    radiusLabel.remove();
    for (const button of buttons) {
      if (button.hasAttribute('aria-pressed')) {
        button.setAttribute('aria-pressed', 'false');
      }
    }

    showNotice(null);
  }

  function show(data) {
    map.getSource(SOURCE)?.setData(data);
  }

  // Box and circle: press, drag, release (mouse or one finger).
  const press = e => {
    if ((mode === 'box' || mode === 'circle') && (!e.points || e.points.length === 1)) {
      e.preventDefault();
      anchor = e.lngLat;
    }
  };
  const move = e => {
    if (anchor && mode === 'box') {
      show(feature(boxPolygon(anchor, e.lngLat)));
    } else if (anchor && mode === 'circle') {
      const radius = distanceKm(anchor, e.lngLat);
      show(feature(circlePolygon(anchor, radius)));
      radiusElement.textContent = `${strings().radius}: ${formatKm(radius)} ${strings().km}`;
      radiusLabel.setLngLat(e.lngLat).addTo(map);
    } else if (mode === 'polygon' && vertices.length) {
      showPolygon([...vertices, e.lngLat.toArray()]);
    }
  };
  const release = e => {
    if (!anchor) {
      return;
    }

    const from = anchor;
    const to = e.lngLat ?? from;
    const finished = mode;
    stop();
    if (finished === 'box') {
      show(feature(boxPolygon(from, to)));
      aggregateBox(boxOf(from, to));
    } else {
      const radius = Math.max(distanceKm(from, to), 0.01);
      show(feature(circlePolygon(from, radius)));
      aggregateCircle(from, radius);
    }
  };
  map.on('mousedown', press);
  map.on('touchstart', press);
  map.on('mousemove', move);
  map.on('touchmove', move);
  map.on('mouseup', release);
  map.on('touchend', release);

  // Polygon: click each vertex; double-click, Enter or a click on the first vertex finishes.
  map.on('click', e => {
    if (mode !== 'polygon') {
      return;
    }

    consumed = e.originalEvent;
    const point = e.lngLat.toArray();
    const last = vertices[vertices.length - 1];
    if (vertices.length >= 3 && near(e.point, map.project(vertices[0]))) {
      finishPolygon();
      return;
    }

    if (!last || !near(e.point, map.project(last))) {
      vertices.push(point);
    }

    showPolygon(vertices);
  });
  map.on('dblclick', e => {
    if (mode === 'polygon') {
      e.preventDefault();
      finishPolygon();
    }
  });
  document.addEventListener('keydown', e => {
    if (!mode || e.target.closest?.('input, select, textarea')) {
      return;
    }

    if (e.key === 'Escape') {
      stop();
      show(EMPTY);
    } else if (e.key === 'Enter' && mode === 'polygon') {
      finishPolygon();
    } else if (e.key === 'Backspace' && mode === 'polygon') {
      vertices.pop();
      showPolygon(vertices);
    }
  });

  function finishPolygon() {
    const ring = vertices.map(v => roundPoint(v));
    stop();
    if (ring.length < 3) {
      show(EMPTY);
      return;
    }

    const polygon = { type: 'Polygon', coordinates: [[...ring, ring[0]]] };
    show(feature(polygon));
    aggregate(api('/v1/aggregate'), { method: 'POST', headers: { 'content-type': 'application/geo+json' }, body: JSON.stringify(polygon) },
      { kind: 'polygon', data: { vertices: ring.length, polygon: JSON.stringify(polygon.coordinates) } });
  }

  function showPolygon(points) {
    const features = points.map(p => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: {} }));
    if (points.length >= 2) {
      features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: points }, properties: {} });
    }

    show({ type: 'FeatureCollection', features });
  }

  function aggregateBox(box) {
    const bbox = box.map(round5).join(',');
    aggregate(api(`/v1/aggregate?bbox=${bbox}`), {}, { kind: 'box', data: { bbox } });
  }

  function aggregateCircle(center, radius) {
    const [lon, lat] = roundPoint(center.toArray());
    const km = Math.round(radius * 100) / 100;
    aggregate(api(`/v1/aggregate?lat=${lat}&lon=${lon}&radiusKm=${km}`), {}, { kind: 'circle', data: { lat, lon, radiusKm: km } });
  }

  async function aggregate(url, init, area) {
    panel.showMessage(strings().loading);
    const response = await fetch(url, init);
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      panel.showMessage(strings().loadFailed + (body?.detail ?? response.status));
      return;
    }

    panel.showAggregate(body, area);
  }

  return {
    get active() { return mode !== null; },
    /** True while drawing, or when drawing already handled this map event. */
    handles: e => mode !== null || e.originalEvent === consumed,
  };
}

function feature(geometry) {
  return { type: 'Feature', geometry, properties: {} };
}

function boxOf(a, b) {
  return [Math.min(a.lng, b.lng), Math.min(a.lat, b.lat), Math.max(a.lng, b.lng), Math.max(a.lat, b.lat)];
}

function boxPolygon(a, b) {
  const [w, s, e, n] = boxOf(a, b);
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

/** Great-circle distance in km (haversine on the mean Earth radius: what the radius label shows). */
function distanceKm(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A 64-gon of the circle on the sphere, for display (the server computes the geodesic circle itself). */
function circlePolygon(center, radiusKm) {
  const rad = Math.PI / 180;
  const angular = radiusKm / EARTH_RADIUS_KM;
  const lat1 = center.lat * rad;
  const lon1 = center.lng * rad;
  const ring = [];
  for (let i = 0; i <= 64; i++) {
    const bearing = (i % 64) / 64 * 2 * Math.PI;
    const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angular) + Math.cos(lat1) * Math.sin(angular) * Math.cos(bearing));
    const lon2 = lon1 + Math.atan2(Math.sin(bearing) * Math.sin(angular) * Math.cos(lat1), Math.cos(angular) - Math.sin(lat1) * Math.sin(lat2));
    ring.push([lon2 / rad, lat2 / rad]);
  }

  return { type: 'Polygon', coordinates: [ring] };
}

function near(p, q) {
  return Math.hypot(p.x - q.x, p.y - q.y) < 6;
}

function round5(v) {
  return Math.round(v * 1e5) / 1e5;
}

function roundPoint([lon, lat]) {
  return [round5(lon), round5(lat)];
}

function formatKm(km) {
  return km >= 10 ? km.toFixed(0) : km.toFixed(1);
}
