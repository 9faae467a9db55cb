// Builds the web map's third-party assets into dist/ (the server copies them to its output, see TileServer.csproj):
//   dist/lib/    MapLibre GL JS's ES-module build (maplibre-gl.mjs, its worker and shared chunk, CSS), as published on npm;
//   dist/fonts/  glyph ranges (/fonts/{fontstack}/{start}-{end}.pbf) rendered from Noto Sans (npm @fontsource/noto-sans,
//                SIL OFL 1.1) as signed distance fields, so that map labels render with no internet access.
//
// Glyphs follow the format every MapLibre/Mapbox GL client reads (glyphs.proto of node-fontnik): 24 px em, a 3 px
// border, distances up to 8 px, edge at 192/255. Outlines come from opentype.js (the font's own quadratic curves);
// each pixel's distance is computed exactly to the flattened outline (no rasterise-then-transform step), inside by
// the non-zero winding rule as TrueType fills. Metrics as fontnik: width/height the rounded box, left the rounded
// left bearing, top the box top minus the rounded ascender, advance rounded.
//
// Run by `npm run build` (the server's build does it after `npm ci`). Output is deterministic.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import opentype from 'opentype.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = join(root, 'node_modules');
const dist = join(root, 'dist');

const FONT_SIZE = 24;
const BORDER = 3;
const RADIUS = 8;
const CUTOFF = 0.25;
// Unicode subsets of the Fontsource package, merged into one face per weight (first subset holding a code point wins).
const SUBSETS = ['latin', 'latin-ext', 'vietnamese', 'greek', 'greek-ext', 'cyrillic', 'cyrillic-ext'];
// One weight: the style's labels all use it (a second weight would double the glyphs a first view loads).
const FONTSTACKS = [{ name: 'Noto Sans Regular', weight: 400 }];

rmSync(dist, { recursive: true, force: true });
copyMapLibre();
for (const stack of FONTSTACKS) {
  buildFontstack(stack);
}

// Tells the server's build (an MSBuild target with this file as its output) that dist/ is complete.
writeFileSync(join(dist, 'build.stamp'), 'dist built\n');

function copyMapLibre() {
  const from = join(modules, 'maplibre-gl', 'dist');
  const to = join(dist, 'lib');
  mkdirSync(to, { recursive: true });
  for (const file of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl-shared.mjs', 'maplibre-gl.css']) {
    // The published files end with a sourceMappingURL comment; the maps are left out (5-6 MB each), so the comment
    // is dropped too, or a browser with developer tools open would request a missing file.
    const text = readFileSync(join(from, file), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    writeFileSync(join(to, file), text);
  }
  copyFileSync(join(modules, 'maplibre-gl', 'LICENSE.txt'), join(to, 'LICENSE.txt'));
}

function buildFontstack({ name, weight }) {
  const faces = SUBSETS
    .map(subset => join(modules, '@fontsource', 'noto-sans', 'files', `noto-sans-${subset}-${weight}-normal.woff`))
    .filter(existsSync)
    .map(file => {
      const bytes = readFileSync(file);
      return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    });
  if (faces.length === 0) {
    throw new Error(`no Noto Sans ${weight} faces found under node_modules/@fontsource/noto-sans`);
  }

  const folder = join(dist, 'fonts', name);
  mkdirSync(folder, { recursive: true });
  let glyphCount = 0;
  for (let start = 0; start < 65536; start += 256) {
    const glyphs = [];
    for (let code = start; code < start + 256; code++) {
      const face = faces.find(f => hasChar(f, code));
      if (face) {
        glyphs.push(renderGlyph(face, code));
      }
    }

    glyphCount += glyphs.length;
    writeFileSync(join(folder, `${start}-${start + 255}.pbf`), encodeGlyphs(name, `${start}-${start + 255}`, glyphs));
  }

  copyFileSync(join(modules, '@fontsource', 'noto-sans', 'LICENSE'), join(dist, 'fonts', 'OFL.txt'));
  console.log(`${name}: ${glyphCount} glyphs from ${faces.length} subsets`);
}

function hasChar(face, code) {
  // Surrogates are not characters; index 0 is .notdef.
  return !(code >= 0xd800 && code <= 0xdfff) && face.charToGlyphIndex(String.fromCodePoint(code)) > 0;
}

function renderGlyph(face, code) {
  const glyph = face.glyphs.get(face.charToGlyphIndex(String.fromCodePoint(code)));
  const scale = FONT_SIZE / face.unitsPerEm;
  const advance = Math.round(glyph.advanceWidth * scale);
  const ascender = Math.round(face.ascender * scale);
  const box = glyph.getBoundingBox();
  const empty = !glyph.path || glyph.path.commands.length === 0 || box.x2 <= box.x1 || box.y2 <= box.y1;
  if (empty) {
    return { id: code, bitmap: null, width: 0, height: 0, left: 0, top: -ascender, advance };
  }

  const width = Math.round((box.x2 - box.x1) * scale);
  const height = Math.round((box.y2 - box.y1) * scale);
  const left = Math.round(box.x1 * scale);
  const top = Math.round(box.y2 * scale) - ascender;
  // Font units (y up) to bitmap pixels (y down), the box's top-left corner at (BORDER, BORDER).
  const toX = x => (x - box.x1) * scale + BORDER;
  const toY = y => (box.y2 - y) * scale + BORDER;
  const segments = flatten(glyph.path.commands, toX, toY);
  const w = width + 2 * BORDER;
  const h = height + 2 * BORDER;
  const bitmap = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const px = x + 0.5;
      const py = y + 0.5;
      let distance = Infinity;
      let winding = 0;
      for (let s = 0; s < segments.length; s += 4) {
        const ax = segments[s], ay = segments[s + 1], bx = segments[s + 2], by = segments[s + 3];
        distance = Math.min(distance, segmentDistance(px, py, ax, ay, bx, by));
        if (ay <= py ? by > py : by <= py) {
          const cross = (bx - ax) * (py - ay) - (px - ax) * (by - ay);
          winding += by > ay ? (cross > 0 ? 1 : 0) : (cross < 0 ? -1 : 0);
        }
      }

      const signed = winding !== 0 ? -distance : distance;
      bitmap[y * w + x] = Math.max(0, Math.min(255, Math.round(255 - 255 * (signed / RADIUS + CUTOFF))));
    }
  }

  return { id: code, bitmap, width, height, left, top, advance };
}

/** The outline as line segments [ax, ay, bx, by, ...] in bitmap pixels; curves cut into 8 (quadratic) or 12 (cubic) pieces. */
function flatten(commands, toX, toY) {
  const out = [];
  let x = 0, y = 0, startX = 0, startY = 0;
  const lineTo = (nx, ny) => {
    out.push(toX(x), toY(y), toX(nx), toY(ny));
    x = nx;
    y = ny;
  };
  for (const c of commands) {
    switch (c.type) {
      case 'M':
        if (x !== startX || y !== startY) {
          lineTo(startX, startY);
        }
        x = startX = c.x;
        y = startY = c.y;
        break;
      case 'L':
        lineTo(c.x, c.y);
        break;
      case 'Q': {
        const x0 = x, y0 = y;
        for (let i = 1; i <= 8; i++) {
          const t = i / 8, u = 1 - t;
          lineTo(u * u * x0 + 2 * u * t * c.x1 + t * t * c.x, u * u * y0 + 2 * u * t * c.y1 + t * t * c.y);
        }
        break;
      }
      case 'C': {
        const x0 = x, y0 = y;
        for (let i = 1; i <= 12; i++) {
          const t = i / 12, u = 1 - t;
          lineTo(u * u * u * x0 + 3 * u * u * t * c.x1 + 3 * u * t * t * c.x2 + t * t * t * c.x,
            u * u * u * y0 + 3 * u * u * t * c.y1 + 3 * u * t * t * c.y2 + t * t * t * c.y);
        }
        break;
      }
      case 'Z':
        if (x !== startX || y !== startY) {
          lineTo(startX, startY);
        }
        break;
      default:
        throw new Error(`unknown path command ${c.type}`);
    }
  }

  if (x !== startX || y !== startY) {
    lineTo(startX, startY);
  }

  return out;
}

function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2));
  const ex = ax + t * dx - px, ey = ay + t * dy - py;
  return Math.sqrt(ex * ex + ey * ey);
}

// --- glyphs.proto: glyphs { repeated fontstack stacks = 1 }, fontstack { name = 1; range = 2; repeated glyph glyphs = 3 },
// glyph { uint32 id = 1; bytes bitmap = 2; uint32 width = 3; uint32 height = 4; sint32 left = 5; sint32 top = 6; uint32 advance = 7 }

function encodeGlyphs(name, range, glyphs) {
  const stack = [field(1, utf8(name)), field(2, utf8(range)), ...glyphs.map(g => field(3, encodeGlyph(g)))];
  return Buffer.from(field(1, concat(stack)));
}

function encodeGlyph(g) {
  const parts = [varintField(1, g.id)];
  if (g.bitmap) {
    parts.push(field(2, g.bitmap));
  }

  parts.push(varintField(3, g.width), varintField(4, g.height), varintField(5, zigzag(g.left)), varintField(6, zigzag(g.top)),
    varintField(7, g.advance));
  return concat(parts);
}

function zigzag(n) {
  return n >= 0 ? 2 * n : -2 * n - 1;
}

function varint(n) {
  const bytes = [];
  while (n > 127) {
    bytes.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }

  bytes.push(n);
  return Uint8Array.from(bytes);
}

function varintField(number, value) {
  return concat([varint(number << 3), varint(value)]);
}

function field(number, bytes) {
  return concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

function utf8(text) {
  return new TextEncoder().encode(text);
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }

  return out;
}
