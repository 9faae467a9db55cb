"""OWSLib (Debian's python3-owslib) against a running TileServer: prints one JSON object of what it read.

Usage: /usr/bin/python3 tests/clients/owslib_check.py http://127.0.0.1:PORT/ COLLECTION MINX,MINY,MAXX,MAXY
Run by the API tests (RealClients); the assertions live there.
"""
import json
import sys
from urllib.parse import parse_qs, urlparse

from owslib.ogcapi.features import Features

url, collection, bbox = sys.argv[1], sys.argv[2], [float(v) for v in sys.argv[3].split(",")]
api = Features(url)
out = {
    "title": api.response.get("title"),
    "landing_rels": sorted(link["rel"] for link in api.links),
    "conformance": api.conformance()["conformsTo"],
    "collections": [c["id"] for c in api.collections()["collections"]],
    "openapi": api.api()["openapi"],
    "queryables": sorted(api.collection_queryables(collection)["properties"]),
}
page = api.collection_items(collection, bbox=bbox, limit=5)
out["bbox_page"] = {"numberMatched": page["numberMatched"], "numberReturned": page["numberReturned"],
                    "ids": [f["id"] for f in page["features"]]}

# Follow `next` to the end with OWSLib's own requests, taking the parameters from each next link.
ids, pages, kwargs = [], 0, {"limit": 50}
while True:
    page = api.collection_items(collection, **kwargs)
    pages += 1
    ids += [f["id"] for f in page["features"]]
    following = [link["href"] for link in page["links"] if link["rel"] == "next"]
    if not following or pages > 1000:
        break
    kwargs = {k: v[0] for k, v in parse_qs(urlparse(following[0]).query).items()}
out["paged"] = {"pages": pages, "ids": ids, "numberMatched": page["numberMatched"]}
print(json.dumps(out))
