import { describe, expect, it } from 'vitest';
import { TeardownStack } from './teardown.stack';

describe(TeardownStack.name, () => {
  describe('when it runs', () => {
    it('should undo the last thing started first', async () => {
      const order: string[] = [];
      const teardown = new TeardownStack();
      for (const name of ['database', 'service', 'prometheus']) {
        teardown.add(name, () => {
          order.push(name);
          return Promise.resolve();
        });
      }
      await teardown.run();
      expect(order).toEqual(['prometheus', 'service', 'database']);
    });

    it('should run every step although one fails, and report the failure', async () => {
      const order: string[] = [];
      const teardown = new TeardownStack();
      teardown.add('database', () => {
        order.push('database');
        return Promise.resolve();
      });
      teardown.add('service', () => Promise.reject(new Error('exited with 1')));
      const failures = await teardown.run();
      expect(order).toEqual(['database']);
      expect(failures).toEqual([{ step: 'service', error: new Error('exited with 1') }]);
    });
  });

  describe('when it runs twice', () => {
    it('should undo each step once', async () => {
      let stops = 0;
      const teardown = new TeardownStack();
      teardown.add('service', () => {
        stops += 1;
        return Promise.resolve();
      });
      await Promise.all([teardown.run(), teardown.run()]);
      expect(stops).toBe(1);
    });
  });
});
