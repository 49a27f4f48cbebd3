import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('.'),
  base: '/portal/',
  plugins: [react()],
  logLevel: 'warn',
  // `npm run portal:dev`: hot-reloading pages against a router already running on the default address.
  server: {
    proxy: Object.fromEntries(['/admin', '/router', '/llm', '/portal/api'].map((p) => [p, process.env.SWITCHYARD_URL ?? 'http://127.0.0.1:8080'])),
  },
  build: {
    outDir: here('../dist/portal'),
    emptyOutDir: true,
    // No data: URLs for fonts or scripts, which the portal's Content-Security-Policy would refuse.
    assetsInlineLimit: 0,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
});
