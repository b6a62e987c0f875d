import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrations } from '../../src/core/store/migrations.js';

// A landed migration is never edited (STYLE.md, habit 6): databases in the field already ran it.
// Each one's SQL is pinned here; a change is a new numbered migration, and a new line below.
const LANDED: Readonly<Record<number, string>> = {
  1: '11e3b2b5fd71484dd5cfd8528718dae0f57713237bb801d9938556cd65ba1d2a',
  2: 'b92250e7d1fbb95efbec9fa268fb366b82ed070d343cd2525b2d95949e64d141',
  3: '3cf377faba39126440c161efa3506bb00284c3133335d0779ee3053626c1b59e',
  4: 'b3148c3d43b974d4e3e4f54c073a2cc19ffa3d84405d6eda46aea164eb475875',
  5: '24722a6dd91c36b8504aa9622183e47c8722d5281e19e19ed9fc21357d05f922',
  6: 'cb5889771d007306ec8030d9b73f60db3bf1f847713ee25ec29f51e3c12e59a2',
  7: '365e89a9645a7e00e82ef17d20e493fb2cba2b92d76dafe709c525cc614d9037',
  8: '22f052bfbde360eb1f89b093b25a812c1efccc45f4eae5df8eb8c9c0aec66820',
  9: '9a858c6c5055d93e3494cfa6b311cce380887a0fcb94ec0ec1bff72796bd8951',
  10: '24f4f6fc31ae71b6831f7ff787458dfb60b0c89e2f33685e4950147cf721121c',
  11: '4dae530194f670d080ed9d85f2afb0dc508d6c6b375b94282b7b4d1043349710',
};

describe('migrations', () => {
  it('are numbered 1, 2, 3… without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('are never edited once landed: each SQL text has the hash it landed with', () => {
    for (const migration of migrations) {
      const pinned = LANDED[migration.version];
      if (pinned === undefined) continue; // a new migration: pin it when it lands
      expect(createHash('sha256').update(migration.sql).digest('hex'), `migration ${migration.version} was edited; add a new migration instead`).toBe(pinned);
    }
    expect(Object.keys(LANDED).length).toBeLessThanOrEqual(migrations.length);
  });
});
