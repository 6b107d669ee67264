import { PassThrough } from 'node:stream';
import { createPrompter } from './plan-prompt';
import { memoryIo } from '../../../test/support/cli-fakes';

describe('createPrompter (piped answers)', () => {
  it('answers every question from lines that arrived all at once, echoing them; null after the end', async () => {
    const input = new PassThrough();
    const io = memoryIo();
    const prompter = createPrompter({ input, io });
    input.end('c\n  some feedback  \n\nlast without newline');
    // The questions come later than the lines (as when a turn takes a while): none may be lost.
    await new Promise((r) => setTimeout(r, 20));
    expect(await prompter.ask('> ')).toBe('c');
    expect(await prompter.ask('feedback? ')).toBe('some feedback');
    expect(await prompter.ask('> ')).toBe('');
    expect(await prompter.ask('> ')).toBe('last without newline');
    expect(await prompter.ask('> ')).toBeNull();
    expect(io.stdout()).toBe('> c\nfeedback?   some feedback  \n> \n> last without newline\n> \n');
    prompter.close();
  });

  it('waits for an answer that has not arrived yet', async () => {
    const input = new PassThrough();
    const io = memoryIo();
    const prompter = createPrompter({ input, io });
    const pending = prompter.ask('name? ');
    input.write('ana\n');
    expect(await pending).toBe('ana');
    const last = prompter.ask('again? ');
    prompter.close();
    expect(await last).toBeNull();
  });
});
