// Unit tests live beside the code (*.spec.ts); end-to-end tests under test/ (*.e2e.ts).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
// NestJS 12 ships ES modules only. Jest cannot require() them on Node 20 (its require(esm)
// support needs Node 24.9+), so @swc/jest also compiles the @nestjs packages to CommonJS:
// transformIgnorePatterns lets node_modules/@nestjs/** through, every other package stays as is.
const swcEsm = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];
const esmOnly = '@nestjs';
const moduleNameMapper = {
  '^@chunkwise/([a-z-]+)$': '<rootDir>/libs/$1/src',
};
const common = {
  transform: { '^.+\\.ts$': swc, [`/node_modules/(${esmOnly})/.+\\.js$`]: swcEsm },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  moduleNameMapper,
  testEnvironment: 'node',
};
module.exports = {
  reporters: ['default', '<rootDir>/test/support/skip-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,apps,workflows,activities}/**/*.spec.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.ts'] },
  ],
};
