/**
 * @jest-environment jsdom
 */
// WeChat's component test tool (miniprogram-simulate): the component requires the package
// as a WeChat page does after "Build npm"; a tap runs a flow with the mock hosts.
const path = require('path');
const simulate = require('miniprogram-simulate');
const { mockBinanceHost, binanceDenial } = require('mp-consent-bridge/testing');

async function tap(comp, id) {
  comp.querySelector(id).dispatchEvent('tap');
  await simulate.sleep(20);
}

test('a tap asks the host inside the handler and shows the consent; a denial shows its code', async () => {
  global.bn = mockBinanceHost({ getOpenId: binanceDenial('getOpenId') });
  const comp = simulate.render(simulate.load(path.join(__dirname, 'component', 'index')));
  comp.attach(document.createElement('parent-wrapper'));
  await simulate.sleep(20);
  expect(comp.data.ready).toBe(true);
  await tap(comp, '#phone');
  expect(comp.data.askedInTap).toBe(1);
  expect(global.bn.calls.map((c) => c.api)).toEqual(['getPhoneNumber']);
  expect(comp.data.result).toBe('phoneNumber');
  await tap(comp, '#openid');
  expect(comp.data.error).toBe('USER_DENIED');
});
