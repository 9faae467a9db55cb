// Validates an OpenAPI 3.0 document (a file path) with @apidevtools/swagger-parser: the OpenAPI 3.0 JSON Schema,
// every $ref resolved, path parameters declared, operationIds unique. Prints "valid <title> <version>" or the error.
import SwaggerParser from "@apidevtools/swagger-parser";

const file = process.argv[2];
try {
  const api = await SwaggerParser.validate(file);
  console.log(`valid ${api.openapi} ${Object.keys(api.paths).length} paths`);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
