import { contactIdentity, findContact, sameContact } from '../../src/domain/follow-up/contact-identity';

describe('contact identity across snapshot refreshes', () => {
  it('recognises a person by email whatever its case, else by name whatever its spacing and case', () => {
    expect(contactIdentity({ name: ' Lin  Wu ', email: 'LIN@Example.org ' })).toEqual({
      name: 'lin wu',
      email: 'lin@example.org',
    });
    expect(contactIdentity({ name: 'Ｌｉｎ Wu' })).toEqual({ name: 'lin wu' });
  });

  it('tells people apart by email when both have one, and by name otherwise', () => {
    const lin = contactIdentity({ name: 'Lin Wu', email: 'lin@example.org' });
    expect(sameContact(lin, contactIdentity({ name: 'Lin Wu', email: 'lin.wu@example.com' }))).toBe(false);
    expect(sameContact(lin, contactIdentity({ name: 'L. Wu', email: 'Lin@example.org' }))).toBe(true);
    // A name-only entry that later gains an address is still the same person.
    expect(sameContact(contactIdentity({ name: 'Lin Wu' }), lin)).toBe(true);
  });

  it('finds the person in a reordered list, and nobody once they were removed', () => {
    const lin = { name: 'Lin Wu', email: 'lin@example.org' };
    const bo = { name: 'Bo Chen', email: 'bo@example.org' };
    expect(findContact([bo, lin], contactIdentity(lin))).toBe(lin);
    expect(findContact([bo], contactIdentity(lin))).toBeUndefined();
  });
});
