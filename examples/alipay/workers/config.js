// Your backend's base URL (https in production).
module.exports = { backend: 'https://api.example.com' };
