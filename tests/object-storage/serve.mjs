// A real S3-compatible server on loopback for the object-storage tests (npm s3rver 3.7.1): node serve.mjs DIR
// [BUCKET...] listens on 127.0.0.1 on a free port, creates the buckets, prints one line {"port": N} once it listens,
// and stops when its standard input closes (so a test that dies never leaves it running). Credentials: S3RVER/S3RVER.
import S3rver from "s3rver";

const [directory, ...buckets] = process.argv.slice(2);
if (!directory) {
  console.error("usage: node serve.mjs DIR [BUCKET...]");
  process.exit(2);
}

const server = new S3rver({
  address: "127.0.0.1",
  port: 0,
  silent: true,
  directory,
  configureBuckets: buckets.map((name) => ({ name })),
});
const { port } = await server.run();
console.log(JSON.stringify({ port }));

process.stdin.resume();
process.stdin.on("close", async () => {
  await server.close();
  process.exit(0);
});
