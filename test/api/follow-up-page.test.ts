import { followUpPageRoutes, renderFollowUpPage } from '../../src/api/follow-up-page';
import { createLinkMaker } from '../../src/links/link-tokens';
import { plainLinks } from '../../src/domain/message-catalog';
import { fakeFollowUps, waitingState } from '../helpers/fake-follow-ups';

const links = plainLinks('https://debrief.test', 'followup-app-1');

describe('follow-up page rendering', () => {
  it('shows what recurred across applications when the data source has it, escaped', () => {
    const page = renderFollowUpPage(waitingState(), links, {
      crossApplication: { summary: ['Two of three recruiters mentioned <system design> depth'] },
    });
    expect(page).toContain('id="across-applications"');
    expect(page).toContain('Two of three recruiters mentioned &lt;system design&gt; depth');
  });

  it('leaves the section out when there is nothing across applications yet', () => {
    expect(renderFollowUpPage(waitingState(), links)).not.toContain('across-applications');
    expect(renderFollowUpPage(waitingState(), links, { crossApplication: { summary: [] } })).not.toContain(
      'across-applications',
    );
  });

  it('still renders, without numbers or drafts, for a follow-up that cannot answer the contacts query', () => {
    const page = renderFollowUpPage(
      waitingState({ references: [{ name: 'Lin Wu', status: 'planned', direct: false }] }),
      links,
    );
    expect(page).toContain('Call the recruiter');
    expect(page).not.toContain('tel:');
    expect(page).not.toContain('Drafts to send');
    expect(page).toContain('I asked Lin Wu');
  });
});

describe('follow-up page route', () => {
  const linkSecret = 'page-route-secret-0123456789abcdef';
  it('feeds the page from the gateway: state, contacts and the cross-application summary', async () => {
    const state = waitingState();
    const followUps = {
      ...fakeFollowUps(state).gateway,
      pageContacts: () =>
        Promise.resolve({
          candidateFirstName: 'Ada',
          recruiter: { name: 'Sam Lee', phone: '+1 415 555 0111' },
          references: [],
        }),
      crossApplication: (candidateId: string) =>
        Promise.resolve(candidateId === state.candidateId ? { summary: ['Depth came up twice'] } : undefined),
    };
    const app = followUpPageRoutes({ linkSecret, publicUrl: 'http://localhost', followUps });
    const url = new URL(createLinkMaker(linkSecret, 'http://localhost', state.followUpId, Date.now()).page());
    const response = await app.request(`${url.pathname}${url.search}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await response.text();
    expect(body).toContain('href="tel:+14155550111"');
    expect(body).toContain('Depth came up twice');
  });
});
