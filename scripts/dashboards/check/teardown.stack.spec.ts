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

  describe('when it is asked to run while it is running', () => {
    it('should undo each step once and make both callers wait for the whole run', async () => {
      const order: string[] = [];
      let finishStop: () => void = () => undefined;
      const teardown = new TeardownStack();
      teardown.add('database', () => {
        order.push('database');
        return Promise.resolve();
      });
      teardown.add('service', () => {
        order.push('service');
        return new Promise<void>((resolve) => (finishStop = resolve));
      });
      const first = teardown.run();
      const second = teardown.run();
      let secondDone = false;
      void second.then(() => (secondDone = true));
      await Promise.resolve();
      expect(secondDone).toBe(false);
      finishStop();
      await Promise.all([first, second]);
      expect(order).toEqual(['service', 'database']);
    });
  });

  describe('when steps are added after a run finished', () => {
    it('should undo them on the next run', async () => {
      const teardown = new TeardownStack();
      await teardown.run();
      let stopped = false;
      teardown.add('late service', () => {
        stopped = true;
        return Promise.resolve();
      });
      await teardown.run();
      expect(stopped).toBe(true);
    });
  });
});
