"""QGIS (Debian's python3-qgis, 3.22) reading a running TileServer through its OAPIF provider.

Usage: QT_QPA_PLATFORM=offscreen /usr/bin/python3 tests/clients/qgis_check.py http://127.0.0.1:PORT/
(tests/clients/qgis.sh starts the server and runs this). For each layer: valid, the provider's feature count, the
features actually read, and a subset filter's count; exits non-zero when a count disagrees with the server.
"""
import json
import os
import sys
import urllib.request

from qgis.core import QgsApplication, QgsVectorLayer

url = sys.argv[1].rstrip("/") + "/"
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
subsets = {"departments": ("code", "15"), "provinces": ("department", "15"), "districts": ("department", "15")}
ok = True
for name, (field, value) in subsets.items():
    layer = QgsVectorLayer(f"url='{url}' typename='{name}'", name, "OAPIF")
    count = layer.featureCount()
    read = sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1
    server = json.load(urllib.request.urlopen(f"{url}collections/{name}/items?limit=1"))["numberMatched"]
    layer.setSubsetString(f"\"{field}\" = '{value}'")
    subset = sum(1 for _ in layer.getFeatures()) if layer.isValid() else -1
    expected = json.load(urllib.request.urlopen(f"{url}collections/{name}/items?limit=1&{field}={value}"))["numberMatched"]
    fields = [f.name() for f in layer.fields()]
    line = {"layer": name, "valid": layer.isValid(), "featureCount": count, "read": read, "server": server,
            "subset": f"{field} = '{value}'", "subsetRead": subset, "subsetServer": expected, "fields": len(fields),
            "geometry": layer.wkbType()}
    print(json.dumps(line))
    ok &= layer.isValid() and read == server and subset == expected
sys.stdout.flush()
# QGIS 3.22's exitQgis() can crash the interpreter on the way out; the answer is already known.
os._exit(0 if ok else 1)
