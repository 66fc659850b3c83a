// 视频帮办 desk (docs/video-protocol.md): one WebSocket for the whole shift, the queue, and the
// call: this page makes the WebRTC offer, waits for ICE gathering to complete (the terminal's
// aiortc does not trickle) and sends the whole SDP. No framework; the console's CSP allows
// only same-origin scripts, so this file is the whole client.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const desk = $("desk");
  const state = { ws: null, call: null, pc: null, local: null, ended: false, drag: null,
                  shot: null, shotInfo: null, rect: null, waiting: [], waitingAt: 0 };
  window.videoDesk = state;   // tests read state.pc.getStats()

  function status(text, cls) {
    const pill = $("desk-status");
    pill.textContent = text;
    pill.className = "status-pill " + (cls || "");
  }
  function showError(text) {
    const box = $("desk-error");
    box.textContent = text;
    box.hidden = !text;
  }
  function send(message) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  }
  function seconds(s) {
    s = Math.max(0, Math.round(s));
    return s >= 60 ? Math.floor(s / 60) + " 分 " + (s % 60) + " 秒" : s + " 秒";
  }
  function cell(row, text) { const td = row.insertCell(); td.textContent = text; return td; }

  // ------------------------------------------------------------------ queue
  function renderQueue() {
    const body = $("queue-table").tBodies[0];
    body.replaceChildren();
    const elapsed = (Date.now() - state.waitingAt) / 1000;
    for (const w of state.waiting) {
      const row = body.insertRow();
      row.id = "waiting-" + w.call_id;
      cell(row, w.terminal); cell(row, (w.district || "") + " " + (w.site || ""));
      cell(row, w.queue); cell(row, w.service_title); cell(row, w.step_title);
      cell(row, seconds(w.waiting_s + elapsed));
    }
    if (!state.waiting.length) {
      const row = body.insertRow(); row.className = "empty";
      const td = cell(row, "暂无群众排队。"); td.colSpan = 6;
    }
    $("waiting-count").textContent = String(state.waiting.length);
    $("take-next").disabled = !state.waiting.length || !!state.call;
  }
  setInterval(() => { if (state.waiting.length) renderQueue(); }, 1000);

  // ------------------------------------------------------------------ socket
  let retry = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const queues = desk.dataset.queues ? "?queues=" + encodeURIComponent(desk.dataset.queues) : "";
    const ws = new WebSocket(scheme + location.host + "/staff/video/ws" + queues);
    state.ws = ws;
    ws.onopen = () => { retry = 1000; status("在线，等待群众呼叫", "online"); };
    ws.onmessage = (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch (e) { return; }
      const handler = handlers[m.type];
      if (handler) handler(m);
    };
    ws.onclose = (ev) => {
      if (state.call) callOver("与管理平台的连接已断开，通话已结束。");
      if (ev.code === 4401) { status("登录已过期，请重新登录", "offline"); return; }
      if (ev.code === 4403) { status("您的角色不能接听视频帮办", "offline"); return; }
      if (ev.code === 4503) status("视频帮办服务不在本台或正在切换，稍后重新连接…", "offline");
      else status("已离线，正在重新连接…", "offline");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  const handlers = {
    queue(m) { state.waiting = m.waiting || []; state.waitingAt = Date.now(); renderQueue(); },
    error(m) { showError(m.message); },
    call(m) { startCall(m).catch((e) => { $("call-state").textContent = "视频连接失败：" + e; }); },
    answer(m) {
      if (state.pc && state.call && m.call_id === state.call.call_id)
        state.pc.setRemoteDescription({ type: "answer", sdp: m.sdp })
          .catch((e) => { $("call-state").textContent = "视频连接失败：" + e; });
    },
    screen(m) {
      if (!state.call || m.call_id !== state.call.call_id) return;
      $("call-service").textContent = m.service_title || m.service || "";
      $("call-step").textContent = m.step_title || m.step || "";
      showScreenText(m.text || (state.call.share_screen ? "" : "群众未同意共享屏幕，仅显示业务和步骤名称。"));
    },
    screenshot(m) {
      if (!state.call || m.call_id !== state.call.call_id) return;
      const bytes = Uint8Array.from(atob(m.png_b64), (c) => c.charCodeAt(0));
      createImageBitmap(new Blob([bytes], { type: "image/png" }))
        .then((bitmap) => { state.shot = bitmap; drawScreen(); })
        .catch(() => {});
    },
    ended(m) {
      if (!state.call || m.call_id !== state.call.call_id) return;
      const why = { resident: "群众已结束通话", wiped: "终端已清场（群众离开）",
                    network: "终端网络中断" }[m.reason] || "通话已结束";
      callOver(why + "，请选择结果并保存记录。");
    },
    saved(m) {
      if (state.call && m.call_id === state.call.call_id) closePanel();
    },
  };

  // ------------------------------------------------------------------ call
  async function startCall(m) {
    state.call = m; state.ended = false; state.shot = null; state.shotInfo = null;
    state.rect = null;
    showError("");
    status("通话中", "online");
    $("call-panel").hidden = false;
    $("call-terminal").textContent = m.terminal;
    $("call-site").textContent = (m.district || "") + " " + (m.site || "");
    $("call-where").textContent = "（" + m.terminal + "）";
    $("call-service").textContent = m.service_title || "";
    $("call-step").textContent = m.step_title || "";
    $("call-share").textContent = m.share_screen ? "群众已同意共享屏幕" : "未共享（仅业务和步骤名称）";
    showScreenText("");
    $("end-call").textContent = "结束通话";
    $("call-title").textContent = "通话中";
    $("call-state").textContent = "正在建立视频连接…";
    $("call-state").className = "hint";
    setHintEnabled(true);
    drawScreen();
    renderQueue();
    const fromPage = JSON.parse(desk.dataset.iceServers || "[]");
    const urls = (m.ice_servers && m.ice_servers.length) ? m.ice_servers : fromPage;
    const pc = new RTCPeerConnection({ iceServers: urls.length ? [{ urls }] : [] });
    state.pc = pc;
    if (!state.local) {
      state.local = await navigator.mediaDevices.getUserMedia(
        { video: { width: 640, height: 480 }, audio: true });
    }
    $("local-video").srcObject = state.local;
    for (const track of state.local.getTracks())
      pc.addTransceiver(track, { direction: "sendrecv", streams: [state.local] });
    // the resident's screen, peer to peer (never through the console): only when they agreed
    if (m.share_screen) screenChannel(pc, m.call_id);
    pc.ontrack = (ev) => {
      if (ev.track.kind !== "video") return;
      $("remote-video").srcObject = ev.streams[0] || new MediaStream([ev.track]);
    };
    pc.onconnectionstatechange = () => {
      const words = { connected: "视频已接通", connecting: "正在建立视频连接…",
                      failed: "视频连接失败（网络）", disconnected: "视频连接中断" };
      if (words[pc.connectionState]) $("call-state").textContent = words[pc.connectionState];
    };
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange",
        () => pc.iceGatheringState === "complete" && resolve());
    });
    if (state.pc === pc && !state.ended)
      send({ type: "offer", call_id: m.call_id, sdp: pc.localDescription.sdp });
  }

  // A picture of the kiosk's screen on the "screen" data channel (docs/video-protocol.md):
  // a JSON header {"type":"shot",seq,mime,width,height,bytes,chunks}, then the JPEG in binary
  // chunks; {"type":"share_off"} when the resident stops sharing. Kept in memory only.
  const MAX_SHOT_BYTES = 2 * 1024 * 1024, MAX_CHUNKS = 256;
  function screenChannel(pc, callId) {
    const dc = pc.createDataChannel("screen");
    dc.binaryType = "arraybuffer";
    let shot = null;
    const current = () => state.call && state.call.call_id === callId && state.pc === pc;
    dc.onmessage = (ev) => {
      if (!current()) return;
      if (typeof ev.data === "string") {
        let m;
        try { m = JSON.parse(ev.data); } catch (e) { return; }
        shot = null;
        if (m.type === "shot" && Number.isInteger(m.bytes) && m.bytes > 0 &&
            m.bytes <= MAX_SHOT_BYTES && Number.isInteger(m.chunks) && m.chunks > 0 &&
            m.chunks <= MAX_CHUNKS) shot = { m, parts: [], got: 0 };
        else if (m.type === "share_off") sharingStopped();
        return;
      }
      if (!shot) return;
      shot.parts.push(ev.data);
      shot.got += ev.data.byteLength;
      if (shot.got > shot.m.bytes) { shot = null; return; }
      if (shot.parts.length < shot.m.chunks) return;
      const done = shot;
      shot = null;
      if (done.got !== done.m.bytes || !state.call.share_screen) return;
      createImageBitmap(new Blob(done.parts, { type: "image/jpeg" })).then((bitmap) => {
        if (!current() || !state.call.share_screen || state.ended) return;
        state.shot = bitmap;
        state.shotInfo = { seq: done.m.seq, width: bitmap.width, height: bitmap.height,
                           bytes: done.got };
        drawScreen(state.rect);
      }).catch(() => {});
    };
    return dc;
  }
  function sharingStopped() {
    state.call.share_screen = false;
    state.shot = null; state.shotInfo = null;
    $("call-share").textContent = "群众已停止共享屏幕（仅业务和步骤名称）";
    showScreenText("");
    drawScreen();
  }

  function stopMedia() {
    if (state.pc) { state.pc.close(); state.pc = null; }
    $("remote-video").srcObject = null;
  }
  function callOver(text) {
    state.ended = true;
    stopMedia();
    state.shot = null; state.shotInfo = null; state.rect = null;   // nothing of the screen kept
    drawScreen();
    $("call-title").textContent = "通话已结束";
    status("通话已结束，请保存记录", "");
    $("call-state").textContent = text;
    $("call-state").className = "message";
    $("end-call").textContent = "保存记录";
    setHintEnabled(false);
  }
  function setHintEnabled(on) {
    for (const el of $("hint-form").elements) el.disabled = !on;
    $("clear-highlight").disabled = !on;
  }
  function showScreenText(text) {
    $("screen-text").textContent = text;
    $("screen-text").hidden = !text;
  }
  function closePanel() {
    stopMedia();
    state.call = null; state.shot = null; state.shotInfo = null; state.rect = null;
    $("call-panel").hidden = true;
    $("end-note").value = ""; $("hint-text").value = "";
    $("sent-note").hidden = true;
    if (state.ws && state.ws.readyState === WebSocket.OPEN) status("在线，等待群众呼叫", "online");
    renderQueue();
  }

  // ------------------------------------------------------------------ screen and highlight
  function drawScreen(rect) {
    const canvas = $("screen-canvas"), g = canvas.getContext("2d");
    g.fillStyle = "#e4e7eb"; g.fillRect(0, 0, canvas.width, canvas.height);
    if (state.shot) g.drawImage(state.shot, 0, 0, canvas.width, canvas.height);
    else {
      g.fillStyle = "#52606d"; g.font = "16px sans-serif"; g.textAlign = "center";
      g.fillText(state.call && state.call.share_screen ? "等待终端屏幕截图…" : "群众未共享屏幕",
                 canvas.width / 2, canvas.height / 2);
    }
    if (rect) {
      g.strokeStyle = "#e8590c"; g.lineWidth = 3;
      g.strokeRect(rect.x * canvas.width, rect.y * canvas.height,
                   rect.w * canvas.width, rect.h * canvas.height);
    }
  }
  function fraction(ev) {
    const box = $("screen-canvas").getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return { x: clamp((ev.clientX - box.left) / box.width),
             y: clamp((ev.clientY - box.top) / box.height) };
  }
  function dragRect(a, b) {
    return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y),
             w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
  }
  const canvas = $("screen-canvas");
  canvas.addEventListener("mousedown", (ev) => { if (state.call) state.drag = fraction(ev); });
  canvas.addEventListener("mousemove", (ev) => {
    if (state.drag) drawScreen(dragRect(state.drag, fraction(ev)));
  });
  canvas.addEventListener("mouseup", (ev) => {
    if (!state.drag || !state.call) return;
    let r = dragRect(state.drag, fraction(ev));
    state.drag = null;
    if (r.w < 0.01 || r.h < 0.01) {   // a click: a box around the point
      r = { x: Math.max(0, r.x - 0.05), y: Math.max(0, r.y - 0.05), w: 0.1, h: 0.1 };
      r.w = Math.min(r.w, 1 - r.x); r.h = Math.min(r.h, 1 - r.y);
    }
    drawScreen(r);
    state.rect = r;
    if (!state.ended) {
      send({ type: "highlight", call_id: state.call.call_id, x: r.x, y: r.y, w: r.w, h: r.h });
      note("已在终端屏幕上高亮所选区域。");
    }
  });
  function note(text) { const n = $("sent-note"); n.textContent = text; n.hidden = false; }

  // ------------------------------------------------------------------ buttons
  $("clear-highlight").addEventListener("click", () => {
    if (!state.call || state.ended) return;
    send({ type: "highlight", call_id: state.call.call_id, x: 0, y: 0, w: 0, h: 0 });
    state.rect = null;
    drawScreen();
    note("已清除终端上的高亮。");
  });
  $("take-next").addEventListener("click", () => { showError(""); send({ type: "take_next" }); });
  $("hint-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("hint-text").value.trim();
    if (!text || !state.call || state.ended) return;
    send({ type: "hint", call_id: state.call.call_id, text });
    note("提示已发送：" + text);
    $("hint-text").value = "";
  });
  $("end-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!state.call) return;
    send({ type: "end", call_id: state.call.call_id, outcome: $("end-outcome").value,
           note: $("end-note").value.trim() });
    if (!state.ended) callOver("通话已结束，正在保存记录…");
  });

  connect();
})();
