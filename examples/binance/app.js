// Your backend's base URL (https in production; the test suite points it at a local backend).
App({ globalData: { backend: 'https://api.example.com' } });
