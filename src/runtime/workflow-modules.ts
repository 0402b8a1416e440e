/**
 * Modules evaluated once per workflow thread and shared by every workflow in it, instead of once per
 * workflow. With the SDK's reusable V8 context, every module of the bundle that is not listed here is
 * evaluated again for each workflow the worker creates (so that module state cannot leak between
 * workflows): the libraries and the domain code behind the workflows (templates, catalog, calendar,
 * policy schemas), about 1 MB of objects per cached workflow and more garbage per workflow created. These
 * modules keep no per-workflow state (no module-level variables; zod's registries are weak maps, luxon's
 * caches hold formatters and zones), and the SDK freezes what they export, so a change that mutated an
 * export would fail in the workflow tests rather than leak.
 */
export const sharedWorkflowModules = [
  'luxon',
  'zod',
  ...[
    'calendar',
    'candidate-entity',
    'debrief',
    'events',
    'ids',
    'message-catalog',
    'messages',
    'policy',
    'replies',
    'templates',
  ].map((name) => require.resolve(`../domain/${name}`)),
];
