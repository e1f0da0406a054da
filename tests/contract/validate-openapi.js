// Validates an OpenAPI document with @apidevtools/swagger-parser; prints the version and path count, exits 1 on error.
const SwaggerParser = require("@apidevtools/swagger-parser");

SwaggerParser.validate(process.argv[2])
  .then((api) => console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths).length} paths`))
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
