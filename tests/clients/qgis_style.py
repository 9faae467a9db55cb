"""QGIS (Debian's python3-qgis, 3.22) opening the server's MapLibre style with its vector-tile style import.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/clients/qgis_style.py http://127.0.0.1:PORT/ OUT.png
(tests/clients/qgis.sh starts the server and runs this). What QGIS does when a user adds a vector tile connection
with a style URL: a vector tile layer over the server's tiles whose default style is /styles/poverty.json, converted
by QgsMapBoxGlStyleConverter. Checks that the conversion succeeds, that every fill, line and label layer of the style
becomes a QGIS style on the same tile layer and zooms, that each district class fill keeps its colour and its filter
on the indicator, and that a render of Peru draws the legend's colours; writes the render to OUT.png. Exits non-zero on any difference.
"""
import json
import os
import sys
import urllib.request

from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
from qgis.core import (Qgis, QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsMapBoxGlStyleConverter,
                       QgsMapRendererParallelJob, QgsMapSettings, QgsProject, QgsRectangle, QgsVectorTileLayer)

root = sys.argv[1].rstrip("/")
out = sys.argv[2]
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()

style = json.load(urllib.request.urlopen(f"{root}/styles/poverty.json"))
tilejson = json.load(urllib.request.urlopen(style["sources"]["poverty"]["url"]))
failures = []

# 1. The converter on its own: success, and what it warns about.
converter = QgsMapBoxGlStyleConverter()
result = converter.convert(style)
if result != QgsMapBoxGlStyleConverter.Success:
    failures.append(f"conversion failed: {converter.errorMessage()}")
warnings = list(converter.warnings())

# 2. The layer as QGIS makes it from a connection with a style URL.
uri = (f"type=xyz&url={tilejson['tiles'][0]}&zmin={tilejson['minzoom']}&zmax={tilejson['maxzoom']}"
       f"&styleUrl={root}/styles/poverty.json")
layer = QgsVectorTileLayer(uri, "poverty")
if not layer.isValid():
    failures.append("the vector tile layer is not valid")
message, loaded = layer.loadDefaultStyle()
if not loaded:
    failures.append(f"loadDefaultStyle: {message}")

styles = layer.renderer().styles() if layer.renderer() else []
converted = {s.styleName(): s for s in styles}
labels = layer.labeling().styles() if layer.labeling() else []
expected = [l for l in style["layers"] if l["type"] in ("fill", "line")]
for spec in expected:
    got = converted.get(spec["id"])
    if got is None:
        failures.append(f"layer {spec['id']} missing from the converted renderer")
        continue
    if got.layerName() != spec["source-layer"]:
        failures.append(f"{spec['id']}: tile layer {got.layerName()}, style says {spec['source-layer']}")
    if got.minZoomLevel() != spec.get("minzoom", -1) and spec.get("minzoom", 0) != 0:
        failures.append(f"{spec['id']}: min zoom {got.minZoomLevel()}, style says {spec.get('minzoom')}")
label_names = {s.styleName() for s in labels}
for spec in (l for l in style["layers"] if l["type"] == "symbol"):
    if spec["id"] not in label_names:
        failures.append(f"label layer {spec['id']} missing from the converted labeling")

# 3. The district fills: each class layer keeps its colour and its filter on the indicator.
indicator = style["metadata"]["tileserver:indicator"]
legend = style["metadata"]["tileserver:legend"]
districts = next(l for l in legend["levels"] if l["level"] == "district")
for spec in (l for l in style["layers"] if l["id"].startswith("districts-fill-")):
    got = converted.get(spec["id"])
    if got is None:
        continue
    color = got.symbol().symbolLayer(0).color().name()
    if color != spec["paint"]["fill-color"]:
        failures.append(f"{spec['id']}: colour {color}, style says {spec['paint']['fill-color']}")
    if indicator not in got.filterExpression():
        failures.append(f"{spec['id']}: filter '{got.filterExpression()}' does not test {indicator}")

# 4. A render of Peru at the district zoom: the legend's colours are drawn.
settings = QgsMapSettings()
settings.setLayers([layer])
mercator = QgsCoordinateReferenceSystem("EPSG:3857")
settings.setDestinationCrs(mercator)
west, south, east, north = tilejson["bounds"]
extent = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"), mercator, QgsProject.instance()).transformBoundingBox(
    QgsRectangle(west, south, east, north))
settings.setExtent(extent)
settings.setOutputSize(QSize(900, 1100))
settings.setBackgroundColor(QColor("#ffffff"))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(out)
drawn = set()
for y in range(0, image.height(), 4):
    for x in range(0, image.width(), 4):
        p = QColor(image.pixel(x, y))
        drawn.add((p.red(), p.green(), p.blue()))
palette = [QColor(c) for l in legend["levels"] for c in l["colors"]]
seen = {c.name() for c in palette if any(abs(c.red() - r) <= 3 and abs(c.green() - g) <= 3 and abs(c.blue() - b) <= 3 for r, g, b in drawn)}
if len(seen) < 3:
    failures.append(f"the render shows {len(seen)} of the legend's colours: {sorted(seen)}")

print(json.dumps({"qgis": Qgis.QGIS_VERSION, "valid": layer.isValid(), "loaded": loaded,
                  "rendererStyles": len(styles), "labelStyles": len(labels), "styleLayers": len(style["layers"]),
                  "coloursDrawn": sorted(seen), "warnings": warnings, "render": out}, ensure_ascii=False))
for failure in failures:
    print("FAIL " + failure)
sys.stdout.flush()
# QGIS 3.22's exitQgis() can crash the interpreter on the way out; the answer is already known.
os._exit(1 if failures else 0)
