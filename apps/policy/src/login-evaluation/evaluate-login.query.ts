import { Query } from '@nestjs/cqrs';
import type { LoginDecision, ParsedRequestOf, PolicyRpc } from '#contracts';

export class EvaluateLoginQuery extends Query<LoginDecision> {
  constructor(readonly request: ParsedRequestOf<typeof PolicyRpc.evaluateLogin>) {
    super();
  }
}
