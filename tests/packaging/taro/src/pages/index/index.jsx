// The README's Taro guide: import from mp-consent-bridge/miniprogram, load the copied
// wasm by path, call the bridge directly in onClick (no await before it).
import { useState } from 'react';
import { Button, Text, View } from '@tarojs/components';
import { ConsentBridge, load } from 'mp-consent-bridge/miniprogram';

const ready = load({ path: '/mp_consent_bridge.wasm.br' });
let bridge;

export default function Index() {
  const [state, setState] = useState('loading');
  ready.then(
    () => {
      if (!bridge) bridge = new ConsentBridge({ backend: BACKEND });
      if (state === 'loading') setState('ready');
    },
    (e) => setState(`load failed: ${e.code}`),
  );
  const onClick = () => {
    bridge.getPhoneNumber().then(
      (answer) => setState(`forwarded: ${answer.kind}`),
      (e) => setState(`error: ${e.code}`),
    );
  };
  return (
    <View>
      <Button id="phone" onClick={onClick}>Share my phone number</Button>
      <Text>{state}</Text>
    </View>
  );
}
