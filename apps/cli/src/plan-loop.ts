import { reviewTypeSchema } from '@chunkwise/domain';
import { ApiError } from './api-client';
import { EXIT_OK } from './errors';
import type { Io } from './output';
import { errorCode, type RefineMode, type ReviewType, type SuggestionSet } from './plan-api';
import { errorLines } from './plan-errors';
import type { Prompter } from './plan-prompt';
import { reviewTypeName } from './plan-render';
import { parseSelection, type PlanningSession } from './plan-session';

/** After the first time, the menu fits on one line. */
export const SHORT_MENU =
  '[c]ontinue planning · [q]uick edit · [r]eview · [s]how · [f]inalize and execute · [x] cancel · [?] help';

export const MENU = [
  'What next?',
  '  [c] continue planning  feedback → drafts in parallel, a judge picks or merges them',
  '  [q] quick edit         feedback → one direct edit',
  '  [r] review             suggestions of one kind; choose which to apply',
  '  [s] show the plan',
  '  [f] finalize and execute',
  '  [x] cancel             keep the draft and leave',
];

const REVIEW_TYPES = reviewTypeSchema.options;

/** How to come back to a draft that is left as it is. */
export function leaveLines(session: PlanningSession): string[] {
  return [
    `Plan ${session.id} stays a draft at revision ${session.plan.revision}. Come back to it with:`,
    `  chunkwise plan --plan ${session.id}`,
  ];
}

/**
 * The interactive loop: the menu until the user finalizes (and executes) or cancels. A failed turn
 * is reported and the menu comes back; the end of the input counts as cancel. Returns the exit code.
 */
export async function interactiveLoop(session: PlanningSession, prompter: Prompter, io: Io): Promise<number> {
  const report = (err: unknown) => {
    for (const line of errorLines(err)) io.err(line);
  };
  session.showPlan();
  for (let turn = 0; ; turn++) {
    session.say('', ...(turn === 0 ? MENU : [SHORT_MENU]));
    const answer = await prompter.ask('> ');
    if (answer === null) {
      session.say('', ...leaveLines(session));
      return EXIT_OK;
    }
    const choice = answer.toLowerCase();
    try {
      if (choice === 'c' || choice === 'continue') await feedbackTurn(session, prompter, 'multi');
      else if (choice === 'q' || choice === 'quick') await feedbackTurn(session, prompter, 'single');
      else if (choice === 'r' || choice === 'review') await reviewTurn(session, prompter, report);
      else if (choice === 's' || choice === 'show') session.showPlan();
      else if (choice === '?' || choice === 'h' || choice === 'help') session.say(...MENU);
      else if (choice === 'f' || choice === 'finalize') {
        const code = await finalizeAndExecute(session, prompter);
        if (code !== null) return code;
      } else if (choice === 'x' || choice === 'cancel' || choice === 'exit' || choice === 'quit') {
        session.say('', ...leaveLines(session));
        return EXIT_OK;
      } else if (choice !== '') session.say(`"${answer}"? Choose c, q, r, s, f or x (? for help).`);
    } catch (err) {
      // The server refused or the model failed: nothing was written; the user decides what next.
      if (!(err instanceof ApiError)) throw err;
      report(err);
      if (errorCode(err) === 'stale_revision') await session.reload();
    }
  }
}

async function feedbackTurn(session: PlanningSession, prompter: Prompter, mode: RefineMode): Promise<void> {
  const what = mode === 'multi' ? 'Continue planning' : 'Quick edit';
  const feedback = await prompter.ask(`${what} — what should change? (empty to go back)\n> `);
  if (!feedback) return;
  await session.refine(feedback, mode);
}

async function reviewTurn(
  session: PlanningSession,
  prompter: Prompter,
  report: (err: unknown) => void,
): Promise<void> {
  session.say('Review for:', ...REVIEW_TYPES.map((t, i) => `  ${i + 1}. ${reviewTypeName(t)} (${t})`));
  const answer = await prompter.ask(`type [1-${REVIEW_TYPES.length}, empty to go back]: `);
  if (!answer) return;
  const type = (REVIEW_TYPES[Number(answer) - 1] ?? REVIEW_TYPES.find((t) => t === answer.toLowerCase())) as
    ReviewType | undefined;
  if (!type) {
    session.say(`"${answer}" is not a review type.`);
    return;
  }
  for (;;) {
    const set = await session.review(type);
    if (set.suggestions.length === 0) return;
    try {
      await chooseAndApply(session, prompter, set);
      return;
    } catch (err) {
      if (errorCode(err) !== 'stale_suggestions') throw err;
      report(err);
      await session.reload();
      const again = await prompter.ask(
        `Review again (${reviewTypeName(type)}) for revision ${session.plan.revision}? [Y/n] `,
      );
      if (again === null || /^n/i.test(again)) return;
    }
  }
}

async function chooseAndApply(
  session: PlanningSession,
  prompter: Prompter,
  set: SuggestionSet,
): Promise<void> {
  for (;;) {
    const answer = await prompter.ask('Apply which? (numbers like 1,3 · all · none) [none]: ');
    const choice = parseSelection(answer ?? '', set);
    if ('error' in choice) {
      session.say(choice.error);
      continue;
    }
    if (choice.ids.length === 0) {
      session.say('Nothing applied; the set stays available.');
      return;
    }
    await session.apply(set, choice.ids);
    return;
  }
}

/** null: not confirmed, back to the menu; else the exit code (0 when the watched session completed). */
async function finalizeAndExecute(session: PlanningSession, prompter: Prompter): Promise<number | null> {
  const answer = await prompter.ask(
    `Finalize revision ${session.plan.revision} and execute it now (live, like \`chunkwise execute --watch\`)? [y/N] `,
  );
  if (!answer || !/^y/i.test(answer)) return null;
  await session.finalize();
  return session.execute(true);
}
