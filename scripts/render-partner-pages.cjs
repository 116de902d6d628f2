// Renders each partner agency's AsyncAPI contract (schemas/partners/<agency>.asyncapi.yaml) to a
// readable HTML page with the AsyncAPI project's own renderer (@asyncapi/react-component, installed
// by `npm ci`): the page is rendered on the server (readable without scripts) and comes alive with
// the renderer's standalone bundle (expanding payloads, examples), which is written beside it as
// asyncapi-ui.js. Nothing is fetched from anywhere, at render time or when the page is read.
//
//   node scripts/render-partner-pages.cjs <out-dir>
//
// scripts/render-partner-pages calls it (and compares with the committed pages).
'use strict';

const fs = require('fs');
const path = require('path');
const React = require('react');
const { renderToString } = require('react-dom/server');
const { AsyncApiComponentWP } = require('@asyncapi/react-component');
const { Parser, fromFile, stringify } = require('@asyncapi/parser');

const root = path.resolve(__dirname, '..');
const sources = path.join(root, 'schemas', 'partners');
const out = path.resolve(process.argv[2] || path.join(sources, 'html'));

// What the reader sees: the sidebar to move around, message examples open.
const config = {
  show: { sidebar: true, errors: true },
  expand: { messageExamples: true },
};

// A value placed inside an inline <script>: nothing in it may close the element.
function scriptJson(value) {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s) {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

async function render(parser, file, css) {
  const { document, diagnostics } = await fromFile(parser, file).parse();
  const errors = diagnostics.filter((d) => d.severity === 0);
  if (!document || errors.length > 0) {
    const lines = errors.map((d) => `  ${d.path.join('.')}: ${d.message}`).join('\n');
    throw new Error(`${path.relative(root, file)} does not parse:\n${lines}`);
  }
  const body = renderToString(React.createElement(AsyncApiComponentWP, { schema: document, config }));
  const title = `${document.info().title()} ${document.info().version()}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@asyncapi/react-component (scripts/render-partner-pages)">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<div id="root">${body}</div>
<script src="asyncapi-ui.js"></script>
<script>
AsyncApiStandalone.hydrate({ schema: ${scriptJson(stringify(document))}, config: ${scriptJson(config)} }, document.getElementById('root'));
</script>
</body>
</html>
`;
}

(async () => {
  const parser = new Parser();
  const component = path.dirname(require.resolve('@asyncapi/react-component/package.json'));
  const css = fs.readFileSync(path.join(component, 'styles', 'default.min.css'), 'utf8');
  fs.mkdirSync(out, { recursive: true });
  fs.copyFileSync(
    path.join(component, 'browser', 'standalone', 'without-parser.js'),
    path.join(out, 'asyncapi-ui.js'),
  );
  fs.copyFileSync(
    path.join(component, 'browser', 'standalone', 'without-parser.js.LICENSE.txt'),
    path.join(out, 'asyncapi-ui.js.LICENSE.txt'),
  );
  const files = fs.readdirSync(sources).filter((f) => f.endsWith('.asyncapi.yaml')).sort();
  if (files.length === 0) throw new Error(`no *.asyncapi.yaml in ${sources}`);
  for (const name of files) {
    const agency = name.replace(/\.asyncapi\.yaml$/, '');
    const html = await render(parser, path.join(sources, name), css);
    fs.writeFileSync(path.join(out, `${agency}.html`), html);
  }
  console.log(`render-partner-pages: ${files.length} pages in ${path.relative(root, out) || out}`);
})().catch((e) => {
  console.error(`render-partner-pages: ${e.message}`);
  process.exit(1);
});
