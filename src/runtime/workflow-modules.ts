/**
 * Modules evaluated once per workflow thread and shared by every workflow in it, instead of once per
 * workflow. With the SDK's reusable V8 context, every module of the bundle that is not listed here is
 * evaluated again for each workflow the worker creates (so that module state cannot leak between
 * workflows), and again for each workflow it replays after an eviction: the libraries and the domain code
 * behind the workflows (templates, catalog, calendar, policy schemas, the follow-up core) cost hundreds of
 * KB of objects per cached workflow and milliseconds of CPU per workflow created. These modules keep no
 * per-workflow state (no module-level variables; zod's registries are weak maps, luxon's caches hold
 * formatters and zones), and the SDK freezes what they export, so a change that mutated an export would
 * fail in the workflow tests rather than leak.
 *
 * zod memoizes inside a schema on its first use, which a frozen schema refuses ("Cannot define property
 * safeParse, object is not extensible"): a shared module must parse with schemas that no export reaches
 * (src/domain/contract/policy.ts keeps its own copy for that; test/runtime/workflow-modules.test.ts runs every
 * shared module's parsing after the SDK's freeze).
 */
export const sharedWorkflowModules = [
  'luxon',
  'zod',
  ...[
    'contract/events',
    'contract/ids',
    'contract/policy',
    'contract/validation',
    'contract/phone-number',
    'time/calendar',
    'time/holidays',
    'feedback/themes',
    'feedback/learning',
    'messages/catalog',
    'messages/content',
    'messages/outbound',
    'messages/replies',
    'messages/reply-tags',
    'messages/templates',
    'candidate/state',
    'candidate/deliveries',
    'candidate/registry',
    'candidate/digest',
    'candidate/digest-settlement',
    'candidate/rules',
    'follow-up/core',
    'follow-up/page-contacts',
    'follow-up/ports',
    'follow-up/run',
    'follow-up/state',
    'follow-up/updates',
    'follow-up/calls',
    'follow-up/contact-asks',
    'follow-up/schedule',
    'follow-up/contact-identity',
  ].map((name) => require.resolve(`../domain/${name}`)),
];

/** Modules the workflows import that are evaluated once per workflow after all: none today. */
export const perWorkflowModules: string[] = [];
