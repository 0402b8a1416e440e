import { stageFromName } from '../../src/ingest/stage-from-name';

describe('stageFromName', () => {
  it.each([
    ['Application Review', 'applied'],
    ['Preliminary Phone Screen', 'screen'],
    ['Recruiter call', 'phone_interview'],
    ['Take Home Test', 'interview'],
    ['Face to Face', 'onsite'],
    ['Onsite Interview', 'onsite'],
    ['Final Interview', 'final_interview'],
    ['Reference Check', 'reference_check'],
    ['Offer', 'offer'],
    ['final_interview', 'final_interview'],
    ['phone interview', 'phone_interview'],
  ])('reads %j as %s', (name, stage) => {
    expect(stageFromName(name)).toBe(stage);
  });

  it('says nothing about names it cannot place', () => {
    expect(stageFromName('Stage 7')).toBeUndefined();
    expect(stageFromName(undefined)).toBeUndefined();
  });
});
