import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        // The chain's walk runs long event logs on worker threads (core/archive/chain-pool.ts),
        // which load their module from beside the code that starts them.
        input: { index: resolve('src/main/index.ts'), 'chain-worker': resolve('src/core/archive/chain-worker.ts') },
        // A native addon cannot be bundled; main loads it from node_modules at run time
        // (dependencies are externalized by default too; this states the one that must be).
        external: ['better-sqlite3'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload (sandbox: true) runs in Electron's own loader, which accepts
      // neither ES modules nor require() of node_modules: emit one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: {
      // One chunk per screen comes from the lazy() imports in App.tsx and SessionScreen.tsx, and
      // hls.js from the film's own dynamic import; minified, since the window (or a browser on
      // `proofline serve`) parses all of the first chunk before it shows anything.
      minify: 'esbuild',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
