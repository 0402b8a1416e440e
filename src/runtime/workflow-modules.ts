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
    'ids',
    'message-catalog',
    'messages',
    'replies',
    'templates',
  ].map((name) => require.resolve(`../domain/${name}`)),
];

/**
 * Modules the workflows import that are evaluated once per workflow after all, each for a reason:
 * - the policy and event schemas: zod memoizes inside a schema on first use, which a frozen (shared) schema
 *   refuses ("Cannot assign to read only property 'parse'"), so a workflow validating a policy must own them;
 * - the follow-up core (src/domain/follow-up): it imports the policy's validation, and a shared module
 *   would pull the schemas into the shared, frozen part with it.
 * None of them may be imported by a module of {@link sharedWorkflowModules} (test/runtime/workflow-modules.test.ts).
 */
export const perWorkflowModules = [
  ...['events', 'policy'].map((name) => require.resolve(`../domain/${name}`)),
  ...[
    'core',
    'page-contacts',
    'ports',
    'run',
    'state',
    'updates',
    'calls',
    'contact-asks',
    'schedule',
    'contact-identity',
  ].map((name) => require.resolve(`../domain/follow-up/${name}`)),
];
