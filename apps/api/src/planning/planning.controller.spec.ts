import { DECORATORS } from '@nestjs/swagger';
import { PlanningController } from './planning.controller';

type Param = { name: string; in: string; required?: boolean };
const paramsOf = (method: keyof PlanningController): Param[] =>
  Reflect.getMetadata(DECORATORS.API_PARAMETERS, PlanningController.prototype[method]) ?? [];

// The dashboard's client is typed from the OpenAPI document: what is not declared there cannot be sent.
describe('PlanningController OpenAPI declarations', () => {
  it('declares the diff query: from and to, both required', () => {
    const query = paramsOf('diff').filter((p) => p.in === 'query');
    expect(query.map((p) => [p.name, p.required]).sort()).toEqual([
      ['from', true],
      ['to', true],
    ]);
  });

  it.each(['review', 'apply', 'refine'] as const)('declares the optional If-Match header on %s', (method) => {
    const header = paramsOf(method).find((p) => p.in === 'header' && p.name === 'If-Match');
    expect(header).toMatchObject({ required: false });
  });
});
