// Calls /v1/embeddings through the official OpenAI Node library (npm `openai`, tests/npm-packages.txt).
// Usage: node openai-client.js <baseURL ending in /v1> <json: {texts: [..], tokens: [[..], ..]}>
// Prints one line `RESULT <json>` with each response as the library returns it.
const { OpenAI } = require('openai');

async function main() {
  const [baseURL, argument] = process.argv.slice(2);
  const { texts, tokens } = JSON.parse(argument);
  const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0, timeout: 60_000 });
  const model = 'text-embedding-3-small';
  const result = {
    // No encoding_format: the library asks for base64 and decodes it to numbers itself.
    default: await client.embeddings.create({ model, input: texts }),
    float: await client.embeddings.create({ model, input: texts[0], encoding_format: 'float' }),
    dimensions: await client.embeddings.create({ model, input: texts, dimensions: 64 }),
    tokens: await client.embeddings.create({ model, input: tokens[0] }),
    tokenArrays: await client.embeddings.create({ model, input: tokens, encoding_format: 'float' }),
  };
  console.log('RESULT ' + JSON.stringify(result));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
