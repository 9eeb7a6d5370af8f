// Default jest: require() of the package and of its mock hosts, and one flow.
const { ConsentBridge, BridgeError, load } = require('mp-consent-bridge');
const { mockBinanceHost, binanceDenial } = require('mp-consent-bridge/testing');

test('the package and its mock hosts load under default jest and run a flow', async () => {
  await load();
  const host = mockBinanceHost();
  const consent = await new ConsentBridge({ host }).askPhoneNumber();
  expect(consent.kind).toBe('phoneNumber');
  const denied = new ConsentBridge({ host: mockBinanceHost({ getOpenId: binanceDenial('getOpenId') }) }).askOpenId();
  await expect(denied).rejects.toBeInstanceOf(BridgeError);
  await expect(denied).rejects.toMatchObject({ code: 'USER_DENIED' });
});
