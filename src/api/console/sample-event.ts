/**
 * A made-up rejection for the policy page's preview: every part present (recruiter, interviewer, a
 * reference, a connection) so that every step of the policy shows. No real person; reserved example numbers
 * and domains.
 */
export function sampleRejection(nowMs: number): Record<string, unknown> {
  const at = new Date(nowMs).toISOString();
  return {
    applicationId: 'sample-application',
    company: 'Example Co',
    role: 'Platform Engineer',
    stageReached: 'final_interview',
    rejectedAt: at,
    candidate: {
      id: 'sample-candidate',
      name: 'Sample Candidate',
      email: 'candidate@example.com',
      phone: '+14155550100',
      timezone: 'America/New_York',
      country: 'US',
    },
    recruiter: { name: 'Robin Recruiter', phone: '+14155550111', email: 'recruiter@example.com' },
    interviewers: [{ name: 'Ira Interviewer', phone: '+14155550122' }],
    references: [
      {
        name: 'Ray Reference',
        email: 'reference@example.org',
        contactedByEmployer: true,
        consentToContact: false,
      },
    ],
    connection: {
      name: 'Cam Connection',
      email: 'connection@example.net',
      relationship: 'former colleague',
      consentToContact: true,
    },
  };
}
