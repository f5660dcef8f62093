// stick-gen studio's canvas player: the body of a Gradio HTML component's js_on_load (Gradio supplies `element`,
// `props` and `watch`). It plays a take document from player.py, drawing each frame as the renderer's
// FrameDrawer draws it: the camera of every frame, sizes, colours and the pose layout all come in the document,
// so nothing here restates a fact of the renderer, only how to draw on a canvas.
const PLAYER_VERSION = 1;
const find = (selector) => element.querySelector(selector);
let take = null; // the document on screen
let labels = []; // labels[actor][frame]: the action's name
let frame = 0;
let playing = false;
let loop = true;
let clock = 0; // performance.now() when frame `clockFrame` was on screen
let clockFrame = 0;
let request = 0;
let takes = 0;

function fitted(ctx, text, room) {
  // As the raster's put_text: shortened with "..." to fit `room` pixels.
  if (ctx.measureText(text).width <= room) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + "...").width <= room) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low).trimEnd() + "...";
}

function draw(t) {
  const canvas = find("canvas");
  if (!canvas || !take) return;
  const W = take.width;
  const H = take.height;
  if (canvas.width !== W || canvas.height !== H) {
    canvas.width = W;
    canvas.height = H;
  }
  const ctx = canvas.getContext("2d");
  const colours = take.colours;
  const unit = take.unit;
  const x0 = take.camera.x0[t];
  const y0 = take.camera.y0[t];
  const scale = 1 / take.camera.mpp[t];
  const px = (x) => (x - x0) * scale; // world metres -> canvas pixels, y down
  const py = (y) => H - (y - y0) * scale;
  const TURN = 2 * Math.PI;
  ctx.fillStyle = colours.background;
  ctx.fillRect(0, 0, W, H);

  const ground = take.ground;
  let row = Math.round(py(0));
  if (row < H) {
    row = Math.max(row, 0);
    ctx.fillStyle = colours.floor;
    ctx.fillRect(0, row, W, H - row);
    ctx.fillStyle = colours.ground;
    ctx.fillRect(0, row, W, ground.line_px);
    // Metre ticks make the ground visibly slide when the camera follows a walker.
    const step = ground.tick_steps_m.find((s) => s * scale >= ground.tick_min_px) ?? 1e9;
    ctx.fillStyle = colours.tick;
    const first = Math.ceil(x0 / step) * step;
    for (let k = 0, x = first; x < x0 + W / scale; k++, x = first + k * step) {
      const col = Math.round(px(x));
      if (col >= 0 && col < W) ctx.fillRect(col, row + ground.line_px, ground.line_px, ground.tick_px);
    }
  }

  const layout = take.layout;
  const actors = take.actors;
  for (let a = 0; a < take.num_actors; a++) {
    const pose = take.poses[t][a];
    const X = (i) => px(pose[i] * unit);
    const Y = (i) => py(pose[i] * unit);
    const width = Math.min(Math.max(actors.line_width_m[a] * scale, 1), actors.max_line_px);
    const head = actors.head_radius_m[a] * scale;
    ctx.strokeStyle = actors.colour[a];
    ctx.fillStyle = actors.colour[a];
    ctx.lineWidth = width;
    ctx.lineCap = "butt";
    ctx.beginPath();
    for (const [x1, y1, x2, y2] of layout.segments) {
      ctx.moveTo(X(x1), Y(y1));
      ctx.lineTo(X(x2), Y(y2));
    }
    ctx.stroke();
    for (const [jx, jy] of [layout.neck, layout.hip]) {
      ctx.beginPath();
      ctx.arc(X(jx), Y(jy), width / 2, 0, TURN);
      ctx.fill();
    }
    ctx.beginPath(); // the head: a ring of its radius, centred that far above the neck
    ctx.arc(X(layout.neck[0]), Y(layout.neck[1]) - head, head, 0, TURN);
    ctx.stroke();
  }

  ctx.fillStyle = colours.ball;
  for (const track of take.balls) {
    const at = track.xy[t - track.start];
    if (!at) continue;
    ctx.beginPath();
    ctx.arc(px(at[0] * unit), py(at[1] * unit), take.ball_radius_m * scale, 0, TURN);
    ctx.fill();
  }

  const caption = take.caption;
  if (caption) {
    const m = caption.margin;
    const size = caption.font_px;
    ctx.font = `${size}px sans-serif`;
    ctx.textBaseline = "top";
    if (take.prompt && W - 2 * m >= size) {
      ctx.fillStyle = colours.text;
      ctx.fillText(fitted(ctx, take.prompt, W - 2 * m), m, m);
    }
    let x = m;
    for (let a = 0; a < take.num_actors; a++) {
      const room = W - m - x;
      if (room < size) break;
      const text = fitted(ctx, labels[a][t], room);
      ctx.fillStyle = actors.colour[a];
      ctx.fillText(text, x, m + caption.line_gap);
      x += Math.min(room, Math.ceil(ctx.measureText(text).width)) + size;
    }
  }
}

function show(t) {
  frame = t;
  draw(t);
  const seek = find(".stick-seek");
  if (seek) seek.value = String(t);
  const time = find(".stick-time");
  if (time) time.textContent = `${(t / take.fps).toFixed(2)} s`;
  const canvas = find("canvas");
  if (canvas) canvas.dataset.frame = String(t);
}

function tick(now) {
  if (!playing || !take) {
    request = 0;
    return;
  }
  // A frame's timestamp may precede the performance.now() that started the clock: never step back.
  let t = clockFrame + Math.floor((Math.max(0, now - clock) * take.fps) / 1000);
  if (t >= take.num_frames) {
    if (loop) t %= take.num_frames;
    else {
      t = take.num_frames - 1;
      setPlaying(false);
    }
  }
  if (t !== frame) show(t);
  request = requestAnimationFrame(tick);
}

function setPlaying(on) {
  playing = Boolean(on && take);
  if (playing) {
    if (!loop && frame >= take.num_frames - 1) show(0);
    clock = performance.now();
    clockFrame = frame;
    if (!request) request = requestAnimationFrame(tick);
  }
  const button = find(".stick-toggle");
  if (button) button.textContent = playing ? "Pause" : "Play";
  const canvas = find("canvas");
  if (canvas) canvas.dataset.playing = playing ? "1" : "0";
}

function load(doc) {
  const empty = find(".stick-empty");
  const controls = find(".stick-controls");
  const usable = Boolean(doc && typeof doc === "object" && doc.poses);
  if (usable && doc.player_version !== PLAYER_VERSION) {
    if (empty) empty.textContent = "This page is older than the studio: reload it to play the animation.";
  }
  take = usable && doc.player_version === PLAYER_VERSION ? doc : null;
  if (empty) empty.hidden = Boolean(take);
  if (controls) controls.hidden = !take;
  if (!take) {
    setPlaying(false);
    return;
  }
  labels = take.actions.map((runs) => {
    const names = new Array(take.num_frames).fill("");
    for (const [name, start, end] of runs) names.fill(name, start, end);
    return names;
  });
  const seek = find(".stick-seek");
  if (seek) seek.max = String(take.num_frames - 1);
  const box = find(".stick-loop");
  if (box) box.checked = loop;
  show(0);
  takes += 1;
  find("canvas").dataset.take = String(takes); // the tests and the benchmark: a new take's first frame is drawn
  setPlaying(true);
}

element.addEventListener("click", (event) => {
  if (event.target.closest(".stick-toggle")) setPlaying(!playing);
});
element.addEventListener("input", (event) => {
  if (!take) return;
  if (event.target.matches(".stick-seek")) {
    setPlaying(false);
    show(Number(event.target.value));
  } else if (event.target.matches(".stick-loop")) {
    loop = event.target.checked;
  }
});
watch("value", () => load(props.value));
load(props.value);
