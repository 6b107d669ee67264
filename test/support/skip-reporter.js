// Lists every skipped test by name at the end of a run, so a skip is never silent (jest hides the
// console output of suites whose tests were all skipped). Skipped tests name their reason.
class SkipReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const suite of results.testResults) {
      for (const t of suite.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') {
          skipped.push(
            `  - ${[...t.ancestorTitles, t.title].join(' › ')}  (${suite.testFilePath.replace(process.cwd() + '/', '')})`,
          );
        }
      }
    }
    if (skipped.length) process.stderr.write(`\nSkipped tests (${skipped.length}):\n${skipped.join('\n')}\n`);
  }
}
module.exports = SkipReporter;
