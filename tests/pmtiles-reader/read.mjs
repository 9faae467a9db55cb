// Reads a PMTiles archive with the protomaps reference implementation (npm `pmtiles`), independently of the C#
// reader. Usage: node read.mjs ARCHIVE < addresses, one "z/x/y" per line.
// Prints one JSON line {header, metadata}, then per address "z/x/y<TAB>TileID<TAB>sha256 of the decompressed tile"
// ("-" when the archive has no such tile).
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { PMTiles, zxyToTileId } from "pmtiles";

class NodeFileSource {
  constructor(path, handle) {
    this.path = path;
    this.handle = handle;
  }

  getKey() {
    return this.path;
  }

  // The library asks for the first 16 KiB even when the archive is smaller: return what there is.
  async getBytes(offset, length) {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead);
    return { data };
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8").split(/\r?\n/).filter((line) => line.length > 0);
}

const path = process.argv[2];
const handle = await open(path, "r");
try {
  const archive = new PMTiles(new NodeFileSource(path, handle));
  const header = await archive.getHeader();
  const metadata = await archive.getMetadata();
  const out = [JSON.stringify({ header, metadata })];
  for (const address of await readStdin()) {
    const [z, x, y] = address.split("/").map(Number);
    const tile = await archive.getZxy(z, x, y);
    const hash = tile ? createHash("sha256").update(new Uint8Array(tile.data)).digest("hex") : "-";
    out.push(`${address}\t${zxyToTileId(z, x, y)}\t${hash}`);
  }
  process.stdout.write(out.join("\n") + "\n");
} finally {
  await handle.close();
}
