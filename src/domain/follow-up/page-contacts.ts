import type { FollowUpCore } from './core';

/** How to reach one person, shown to the candidate on their follow-up page only (never logged). */
export interface PageContact {
  name: string;
  phone?: string;
  email?: string;
}

/**
 * What the candidate's follow-up page shows beyond the follow-up's state: the people to call or write to,
 * looked up in the current snapshot. `references` lines up with the state's `references`.
 */
export interface PageContacts {
  candidateFirstName: string;
  recruiter?: PageContact;
  interviewer?: PageContact;
  references: (PageContact & { contactedByEmployer: boolean })[];
  connection?: PageContact;
}

function pageContact(person: PageContact | undefined): PageContact | undefined {
  return person && { name: person.name, phone: person.phone, email: person.email };
}

/** The contacts behind the page, as the follow-up knows them now (references by identity, not position). */
export function pageContacts(core: FollowUpCore): PageContacts {
  return {
    candidateFirstName: core.context().candidateFirstName,
    recruiter: pageContact(core.snapshot.recruiter),
    interviewer: pageContact(core.snapshot.interviewers[0]),
    references: core.state.references.map((reference, index) => {
      const current = core.currentReference(index);
      return {
        ...(pageContact(current) ?? { name: reference.name }),
        contactedByEmployer: current?.contactedByEmployer ?? false,
      };
    }),
    connection: pageContact(core.currentConnection()),
  };
}
