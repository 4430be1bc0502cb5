"""spro/practical-pytorch seq2seq-translation (2017): GRU encoder, attention decoder, teacher forcing,
on a synthetic two-language corpus (target = source reversed, word by word re-coded).

Legacy idioms: `encoder_outputs = Variable(torch.zeros(...))` filled in place with
`encoder_outputs[ei] = encoder_output[0][0]`, `F.softmax(...)` / `F.log_softmax(...)` without dim,
`loss = 0; loss += criterion(...)`, `ni = topi[0][0]` and `Variable(torch.LongTensor([[ni]]))`,
`loss.data[0] / target_length`, `Variable(..., volatile=True)` in evaluation; in beam search
(OpenNMT-py's Beam, 2017) `prevK = bestScoresId / numWords` on a LongTensor (C division) and
iteration over `.data` giving Python ints.
Modern version: examples/legacy/modern/seq2seq_translation.py.
"""
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim
from torch.autograd import Variable

use_cuda = torch.cuda.is_available()
SOS_token, EOS_token, MAX_LENGTH = 0, 1, 6


class Lang:
    def __init__(self, name):
        self.name = name
        self.word2index = {}
        self.index2word = {0: "SOS", 1: "EOS"}
        self.n_words = 2  # Count SOS and EOS

    def addSentence(self, sentence):
        for word in sentence.split(' '):
            if word not in self.word2index:
                self.word2index[word] = self.n_words
                self.index2word[self.n_words] = word
                self.n_words += 1


random.seed(5)
torch.manual_seed(5)
pairs = []
for _ in range(60):
    words = [random.randint(0, 9) for _ in range(random.randint(2, 4))]
    pairs.append((' '.join('a%d' % w for w in words), ' '.join('b%d' % ((w * 3) % 10) for w in reversed(words))))
input_lang, output_lang = Lang('src'), Lang('tgt')
for src, tgt in pairs:
    input_lang.addSentence(src)
    output_lang.addSentence(tgt)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, n_layers=1):
        super(EncoderRNN, self).__init__()
        self.n_layers = n_layers
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size)

    def forward(self, input, hidden):
        embedded = self.embedding(input).view(1, 1, -1)
        output = embedded
        for i in range(self.n_layers):
            output, hidden = self.gru(output, hidden)
        return output, hidden

    def initHidden(self):
        result = Variable(torch.zeros(1, 1, self.hidden_size))
        if use_cuda:
            return result.cuda()
        else:
            return result


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, n_layers=1, dropout_p=0.1, max_length=MAX_LENGTH):
        super(AttnDecoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.output_size = output_size
        self.n_layers = n_layers
        self.dropout_p = dropout_p
        self.max_length = max_length

        self.embedding = nn.Embedding(self.output_size, self.hidden_size)
        self.attn = nn.Linear(self.hidden_size * 2, self.max_length)
        self.attn_combine = nn.Linear(self.hidden_size * 2, self.hidden_size)
        self.dropout = nn.Dropout(self.dropout_p)
        self.gru = nn.GRU(self.hidden_size, self.hidden_size)
        self.out = nn.Linear(self.hidden_size, self.output_size)

    def forward(self, input, hidden, encoder_output, encoder_outputs):
        embedded = self.embedding(input).view(1, 1, -1)
        embedded = self.dropout(embedded)

        attn_weights = F.softmax(self.attn(torch.cat((embedded[0], hidden[0]), 1)))
        attn_applied = torch.bmm(attn_weights.unsqueeze(0), encoder_outputs.unsqueeze(0))

        output = torch.cat((embedded[0], attn_applied[0]), 1)
        output = self.attn_combine(output).unsqueeze(0)

        for i in range(self.n_layers):
            output = F.relu(output)
            output, hidden = self.gru(output, hidden)

        output = F.log_softmax(self.out(output[0]))
        return output, hidden, attn_weights


def variableFromSentence(lang, sentence, volatile=False):
    indexes = [lang.word2index[word] for word in sentence.split(' ')]
    indexes.append(EOS_token)
    result = Variable(torch.LongTensor(indexes).view(-1, 1), volatile=volatile)
    if use_cuda:
        return result.cuda()
    else:
        return result


teacher_forcing_ratio = 0.5


def train(input_variable, target_variable, encoder, decoder, encoder_optimizer, decoder_optimizer, criterion,
          max_length=MAX_LENGTH):
    encoder_hidden = encoder.initHidden()

    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()

    input_length = input_variable.size()[0]
    target_length = target_variable.size()[0]

    encoder_outputs = Variable(torch.zeros(max_length, encoder.hidden_size))
    encoder_outputs = encoder_outputs.cuda() if use_cuda else encoder_outputs

    loss = 0

    for ei in range(input_length):
        encoder_output, encoder_hidden = encoder(input_variable[ei], encoder_hidden)
        encoder_outputs[ei] = encoder_output[0][0]

    decoder_input = Variable(torch.LongTensor([[SOS_token]]))
    decoder_input = decoder_input.cuda() if use_cuda else decoder_input

    decoder_hidden = encoder_hidden

    use_teacher_forcing = True if random.random() < teacher_forcing_ratio else False

    if use_teacher_forcing:
        # Teacher forcing: Feed the target as the next input
        for di in range(target_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(
                decoder_input, decoder_hidden, encoder_output, encoder_outputs)
            loss += criterion(decoder_output, target_variable[di])
            decoder_input = target_variable[di]  # Teacher forcing
    else:
        # Without teacher forcing: use its own predictions as the next input
        for di in range(target_length):
            decoder_output, decoder_hidden, decoder_attention = decoder(
                decoder_input, decoder_hidden, encoder_output, encoder_outputs)
            topv, topi = decoder_output.data.topk(1)
            ni = topi[0][0]

            decoder_input = Variable(torch.LongTensor([[ni]]))
            decoder_input = decoder_input.cuda() if use_cuda else decoder_input

            loss += criterion(decoder_output, target_variable[di])
            if ni == EOS_token:
                break

    loss.backward()

    encoder_optimizer.step()
    decoder_optimizer.step()

    return loss.data[0] / target_length


def evaluate(encoder, decoder, sentence, max_length=MAX_LENGTH):
    input_variable = variableFromSentence(input_lang, sentence, volatile=True)
    input_length = input_variable.size()[0]
    encoder_hidden = encoder.initHidden()

    encoder_outputs = Variable(torch.zeros(max_length, encoder.hidden_size))
    encoder_outputs = encoder_outputs.cuda() if use_cuda else encoder_outputs

    for ei in range(input_length):
        encoder_output, encoder_hidden = encoder(input_variable[ei], encoder_hidden)
        encoder_outputs[ei] = encoder_outputs[ei] + encoder_output[0][0]

    decoder_input = Variable(torch.LongTensor([[SOS_token]]), volatile=True)
    decoder_hidden = encoder_hidden

    decoded_words = []
    decoder_attentions = torch.zeros(max_length, max_length)

    for di in range(max_length):
        decoder_output, decoder_hidden, decoder_attention = decoder(
            decoder_input, decoder_hidden, encoder_output, encoder_outputs)
        decoder_attentions[di] = decoder_attention.data
        topv, topi = decoder_output.data.topk(1)
        ni = topi[0][0]
        if ni == EOS_token:
            decoded_words.append('<EOS>')
            break
        else:
            decoded_words.append(output_lang.index2word[ni])

        decoder_input = Variable(torch.LongTensor([[ni]]), volatile=True)

    return decoded_words, decoder_attentions[:di + 1]


class Beam(object):
    """OpenNMT-py's Beam (2017), trimmed: scores, back-pointers and the words of each step."""

    def __init__(self, size):
        self.size = size
        self.done = False
        self.scores = torch.FloatTensor(size).zero_()
        self.prevKs = []
        self.nextYs = [torch.LongTensor(size).fill_(SOS_token)]

    def getCurrentState(self):
        return self.nextYs[-1]

    def advance(self, wordLk):
        numWords = wordLk.size(1)
        # Sum the previous scores.
        if len(self.prevKs) > 0:
            beamLk = wordLk + self.scores.unsqueeze(1).expand_as(wordLk)
        else:
            beamLk = wordLk[0]
        flatBeamLk = beamLk.view(-1)
        bestScores, bestScoresId = flatBeamLk.topk(self.size, 0, True, True)
        self.scores = bestScores
        # bestScoresId is flattened beam x word array, so calculate which
        # word and beam each score came from
        prevK = bestScoresId / numWords
        self.prevKs.append(prevK)
        self.nextYs.append(bestScoresId - prevK * numWords)
        # End condition is when top-of-beam is EOS.
        if self.nextYs[-1][0] == EOS_token:
            self.done = True
        return self.done

    def getHyp(self, k):
        hyp = []
        for j in range(len(self.prevKs) - 1, -1, -1):
            hyp.append(self.nextYs[j + 1][k])
            k = self.prevKs[j][k]
        return hyp[::-1]


def beam_search(encoder, decoder, sentence, beam_size=3, max_length=MAX_LENGTH):
    input_variable = variableFromSentence(input_lang, sentence, volatile=True)
    encoder_hidden = encoder.initHidden()
    encoder_outputs = Variable(torch.zeros(max_length, encoder.hidden_size))
    for ei in range(input_variable.size()[0]):
        encoder_output, encoder_hidden = encoder(input_variable[ei], encoder_hidden)
        encoder_outputs[ei] = encoder_outputs[ei] + encoder_output[0][0]

    beam = Beam(beam_size)
    hiddens = [encoder_hidden] * beam_size
    for di in range(max_length):
        outputs, new_hiddens = [], []
        for k, word in enumerate(beam.getCurrentState()):
            decoder_input = Variable(torch.LongTensor([[word]]), volatile=True)
            output, hidden, _ = decoder(decoder_input, hiddens[k], encoder_output, encoder_outputs)
            outputs.append(output.data)
            new_hiddens.append(hidden)
        if beam.advance(torch.cat(outputs)):
            break
        hiddens = [new_hiddens[k] for k in beam.prevKs[-1]]
    return [output_lang.index2word[i] for i in beam.getHyp(0)], beam.scores[0]


hidden_size = 16
encoder1 = EncoderRNN(input_lang.n_words, hidden_size)
attn_decoder1 = AttnDecoderRNN(hidden_size, output_lang.n_words, 1, dropout_p=0.1)
encoder_optimizer = optim.SGD(encoder1.parameters(), lr=0.05)
decoder_optimizer = optim.SGD(attn_decoder1.parameters(), lr=0.05)
criterion = nn.NLLLoss()

n_iters, print_every = 120, 20
print_loss_total = 0
for iter in range(1, n_iters + 1):
    training_pair = random.choice(pairs)
    input_variable = variableFromSentence(input_lang, training_pair[0])
    target_variable = variableFromSentence(output_lang, training_pair[1])
    loss = train(input_variable, target_variable, encoder1, attn_decoder1, encoder_optimizer, decoder_optimizer,
                 criterion)
    print_loss_total += loss
    if iter % print_every == 0:
        print('(%d %d%%) %.6f' % (iter, iter / n_iters * 100, print_loss_total / print_every))
        print_loss_total = 0

encoder1.eval()
attn_decoder1.eval()
for pair in pairs[:4]:
    output_words, attentions = evaluate(encoder1, attn_decoder1, pair[0])
    print('>', pair[0], '=', pair[1], '<', ' '.join(output_words), 'attention max %.6f' % attentions.max())
    words, score = beam_search(encoder1, attn_decoder1, pair[0])
    print('  beam:', ' '.join(words), 'log-probability %.6f' % score)
