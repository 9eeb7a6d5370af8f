import { defineConfig } from 'vite';
import uni from '@dcloudio/vite-plugin-uni';

export default defineConfig({
  plugins: [uni()],
  define: { BACKEND: JSON.stringify(process.env.MPCB_BACKEND || 'https://api.example.com') },
});
