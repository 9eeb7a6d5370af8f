export default { navigationBarTitleText: 'Consent bridge' };
